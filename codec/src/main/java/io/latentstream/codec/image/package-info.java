/** Images in memory, their file formats, and the padded float tensors the transforms consume. */
package io.latentstream.codec.image;
