/**
 * Model packages (verification, loading with DJL TensorFlow, warm-up, safe close), the catalog that
 * resolves {@code --model}/{@code --quality} and bitstream versions, and the translators between
 * images, latents and tensors.
 */
package io.latentstream.codec.model;
