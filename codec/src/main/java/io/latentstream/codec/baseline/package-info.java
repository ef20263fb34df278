/** Classic codecs measured in the same harness: JPEG (ImageIO) and WebP (cwebp/dwebp). */
package io.latentstream.codec.baseline;
