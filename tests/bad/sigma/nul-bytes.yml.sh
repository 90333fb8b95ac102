# NUL bytes inside a value and a key
printf 'title: nul bytes\nid: 00000000-0000-4000-8000-0000000000bd\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image: "a\000b"\n    Comm\000andLine: x\n  condition: sel\n'
