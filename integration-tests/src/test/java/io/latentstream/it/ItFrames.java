package io.latentstream.it;

import io.latentstream.codec.image.PixelImage;
import io.latentstream.schemas.RawFrame;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The frames the end-to-end tests publish as a camera would: records keyed by camera id, and a
 * cheap synthetic picture for the tests that count frames rather than judge quality (the container
 * tests, whose encoders run the bundled models).
 */
final class ItFrames {

  private ItFrames() {}

  /** {@code value} keyed by the frame's camera id, as producers key the raw topic. */
  static ProducerRecord<byte[], byte[]> record(String topic, RawFrame frame, byte[] value) {
    return new ProducerRecord<>(topic, frame.getCameraId().getBytes(StandardCharsets.UTF_8), value);
  }

  /**
   * A smooth gradient of camera {@code cam} that drifts with the sequence, plus noise of +-3:
   * something an encoder can chew on, made in microseconds.
   */
  static PixelImage gradient(int width, int height, int cam, long seq) {
    Random noise = new Random(cam * 1_000_003L + seq);
    byte[] px = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int ch = 0; ch < 3; ch++) {
          int v = (int) ((x * 3 + y * 2 + seq + cam * 40 + ch * 60) % 256) + noise.nextInt(7) - 3;
          px[(y * width + x) * 3 + ch] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    return new PixelImage(width, height, io.latentstream.codec.image.PixelFormat.RGB24, px);
  }
}
