package io.latentstream.codec.bitstream;

import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.PixelFormat;

/**
 * Everything a bitstream says besides its entropy-coded payload.
 *
 * @param modelVersion the model package version that encoded the frame (decoding must use the same)
 * @param width original image width in pixels
 * @param height original image height in pixels
 * @param pixelFormat pixel layout of the original image (and of the decoded one)
 * @param container container format of the original image
 * @param stride the transform's stride; the latent covers the image padded up to a multiple of it
 * @param latentHeight latent rows, {@code ceil(height / stride)}
 * @param latentWidth latent columns, {@code ceil(width / stride)}
 * @param latentChannels latent channels M
 */
public record LsfHeader(
    String modelVersion,
    int width,
    int height,
    PixelFormat pixelFormat,
    ContainerFormat container,
    int stride,
    int latentHeight,
    int latentWidth,
    int latentChannels) {

  /** Number of latent symbols the payload codes. */
  public long symbolCount() {
    return (long) latentHeight * latentWidth * latentChannels;
  }
}
