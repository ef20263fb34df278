package io.latentstream.codec.image;

/** Pixel layouts the codec reads and writes: interleaved 8-bit RGB, or 8-bit gray. */
public enum PixelFormat {
  RGB24(3),
  GRAY8(1);

  private final int channels;

  PixelFormat(int channels) {
    this.channels = channels;
  }

  public int channels() {
    return channels;
  }
}
