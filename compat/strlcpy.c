/*
 * strlcpy: copy src into a buffer of size bytes, always NUL-terminated
 * when size > 0; returns strlen(src), so a result >= size means truncation.
 */
#include <string.h>

size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t	 n = strlen(src);

	if (size > 0) {
		size_t	 k = n < size - 1 ? n : size - 1;

		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}
