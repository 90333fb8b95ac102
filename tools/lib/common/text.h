/*
 * text.h: strict UTF-8 validation, RFC 4648 base64 (standard alphabet), and
 * percent-encoding of a path for a URL.
 *
 * Ownership: base64_encode() returns a new buffer the caller frees; base64_decode()
 * appends to a strbuf the caller owns. Inputs are borrowed and never kept.
 */
#ifndef DETCAT_TEXT_H
#define DETCAT_TEXT_H

#include <stddef.h>

struct strbuf;

#define UTF8_VALID ((size_t)-1)

/*
 * Byte offset of the first invalid UTF-8 sequence in s[0..n), or UTF8_VALID.
 * The offset is where the bad sequence starts (its lead byte, or the stray byte).
 * Strict, as Unicode's table of well-formed sequences: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no sequence cut off by the
 * end of input. NUL is a valid character.
 */
size_t utf8_invalid_at(const char *s, size_t n);

/*
 * Padded base64 of data[0..n), NUL-terminated. *outlen (if outlen is not NULL) gets
 * its length without the NUL.
 */
char *base64_encode(const void *data, size_t n, size_t *outlen);

/*
 * Appends the bytes that s[0..n) encodes to out; 0 on success. Takes input with or
 * without its '=' padding, nothing else: no whitespace, no URL-safe alphabet, and
 * the unused low bits of the last character must be zero (so each byte string has
 * exactly one accepted encoding, padding aside). On -1, out is left as it was.
 */
int base64_decode(const char *s, size_t n, struct strbuf *out);

/*
 * Appends path to out with every byte other than RFC 3986's unreserved
 * characters and '/' percent-encoded ("Analytic Rules/a b.yaml" →
 * "Analytic%20Rules/a%20b.yaml"): the path part of a link to a file.
 */
void url_path_encode(struct strbuf *out, const char *path);

#endif
