# 5,000 YAML documents in one file, the last of them broken
i=0
while [ $i -lt 5000 ]; do
	printf -- '---\ntitle: doc %d\nid: 00000000-0000-4000-8000-%012d\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image: x%d\n  condition: sel\n' $i $i $i
	i=$((i + 1))
done
printf -- '---\ntitle: [broken\n'
