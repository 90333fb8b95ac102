/*
 * navigator.h: ATT&CK Navigator layers of the catalog, to open the coverage of
 * the rules in MITRE's Navigator (layer format 4.5, mitre-attack/attack-navigator
 * layers/spec/v4.5/layerformat.md).
 *
 * A layer scores each technique with its number of rules: rules.total, or
 * rules.by_vendor[vendor] for one vendor. Techniques that score 0, and records
 * whose id is not "T####" or "T####.###", are left out.
 * There is one entry per technique, in the order given and without a "tactic", so
 * that the Navigator shows it under every tactic of the technique. A parent with a
 * scored sub-technique has showSubtechniques. The comment gives the record's whole
 * count by vendor ("12 rules: Sigma 7, Elastic 5"), whatever the layer's vendor,
 * and its colour is the matrix's shade for its score (logarithmic, site_heat()).
 * Texts that are not valid UTF-8 are shown with U+FFFD and a warning.
 * versions.attack is the catalog's ATT&CK release (the corpus record's
 * attack_version); without one it is left out and the Navigator takes its
 * current ATT&CK.
 *
 * Ownership: navigator_layer borrows its arguments and returns a new reference.
 */
#ifndef DETCAT_NAVIGATOR_H
#define DETCAT_NAVIGATOR_H

#include <jansson.h>

#define NAVIGATOR_LAYER_FORMAT "4.5"	/* versions.layer */
#define NAVIGATOR_VERSION "5.1.0"	/* versions.navigator: at least 4.9.0 for layer 4.5 */

/*
 * The layer of `techniques` (a JSON array of catalog `technique` records; NULL is
 * taken as empty) for `vendor` (NULL: every vendor; else a key of rules.by_vendor
 * such as "sigma"). name and description are valid UTF-8; NULL is taken as "".
 */
json_t *navigator_layer(const json_t *techniques, const char *vendor, const char *name,
			const char *description, const char *attack_version);

#endif
