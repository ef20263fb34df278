package io.latentstream.streams.feed;

import io.latentstream.codec.image.CameraSimulator;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.schemas.RawFrame;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * The frames a run publishes: {@code framesPerCamera} frames of each of the simulator's cameras, as
 * {@link RawFrame} records keyed by camera id ({@code <prefix><index>}). Frame {@code i} of the run
 * is camera {@code i % cameras}, sequence {@code i / cameras}: cameras interleave as they would on
 * a live system, and the demo, the pipeline benchmark and its codec loop all see this one order.
 *
 * <p>Immutable and thread-safe.
 */
public final class CameraFeed {

  private final CameraSimulator cameras;
  private final String prefix;
  private final int framesPerCamera;

  public CameraFeed(CameraSimulator cameras, String prefix, int framesPerCamera) {
    if (framesPerCamera < 1) {
      throw new IllegalArgumentException("need at least one frame per camera");
    }
    this.cameras = cameras;
    this.prefix = prefix;
    this.framesPerCamera = framesPerCamera;
  }

  public CameraSimulator simulator() {
    return cameras;
  }

  public int cameras() {
    return cameras.cameras();
  }

  public int framesPerCamera() {
    return framesPerCamera;
  }

  /** Frames in one run: cameras x frames per camera. */
  public int total() {
    return cameras.cameras() * framesPerCamera;
  }

  public int width() {
    return cameras.width();
  }

  public int height() {
    return cameras.height();
  }

  public String cameraId(int camera) {
    return prefix + camera;
  }

  /** Camera index of an id made by {@link #cameraId}, or -1 for another id. */
  public int cameraIndex(String id) {
    if (!id.startsWith(prefix)) {
      return -1;
    }
    try {
      int camera = Integer.parseInt(id.substring(prefix.length()));
      return camera < cameras() ? camera : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Index in the run of a camera's frame, or -1 when the run has no such frame. */
  public int index(int camera, long sequence) {
    if (camera < 0 || camera >= cameras() || sequence < 0 || sequence >= framesPerCamera) {
      return -1;
    }
    return (int) (sequence * cameras() + camera);
  }

  /** The image of frame {@code i} of the run. */
  public PixelImage image(int i) {
    return cameras.image(i % cameras(), i / cameras());
  }

  public PixelImage image(int camera, long sequence) {
    return cameras.image(camera, sequence);
  }

  /** The record of frame {@code i} of the run. */
  public RawFrame record(int i, Instant captureTime) {
    return record(i % cameras(), i / cameras(), captureTime);
  }

  /** The record of camera {@code camera} at {@code sequence}. */
  public RawFrame record(int camera, long sequence, Instant captureTime) {
    return uncompressed(cameraId(camera), sequence, captureTime, cameras.image(camera, sequence));
  }

  /**
   * The record of an uncompressed frame (RGB24 or GRAY8 pixels, as a camera publishes them to the
   * raw topic).
   */
  public static RawFrame uncompressed(
      String cameraId, long sequence, Instant captureTime, PixelImage image) {
    return RawFrame.newBuilder()
        .setCameraId(cameraId)
        .setSequence(sequence)
        .setCaptureTime(captureTime)
        .setWidth(image.width())
        .setHeight(image.height())
        .setPixelFormat(
            image.format() == io.latentstream.codec.image.PixelFormat.GRAY8
                ? PixelFormat.GRAY8
                : PixelFormat.RGB24)
        .setPixels(ByteBuffer.wrap(image.pixels()))
        .build();
  }
}
