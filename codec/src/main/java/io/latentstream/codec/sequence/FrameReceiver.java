package io.latentstream.codec.sequence;

import io.latentstream.codec.CodecException;
import io.latentstream.codec.MissingReferenceException;
import io.latentstream.codec.bitstream.FrameType;
import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.ModelResolver;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The receiving end of many cameras' streams, for consumers of {@code images.latent} (a plain Kafka
 * consumer with {@code isolation.level=read_committed} is enough; nothing here depends on Kafka).
 * Give it each frame's camera and bitstream in the order of the topic; it keeps a {@link
 * SequenceDecoder} per camera and answers with a picture, or with why there is none yet.
 *
 * <p>A consumer that joins mid-stream (or loses a frame) first receives DELTA frames it cannot
 * decode: it gets {@link Waiting} answers until the camera's next KEY frame, and the receiver asks
 * for one through the {@code keyframeRequests} callback (e.g. a record on {@code
 * images.keyframe.requests}, or {@code POST /cameras/{id}/keyframe}), at most once per camera every
 * {@code requestIntervalNanos}. After a partition reassignment call {@link #forget} for the cameras
 * that moved (or {@link #forgetAll}).
 *
 * <p>Not thread-safe: one instance per consuming thread.
 */
public final class FrameReceiver {
  private final ModelResolver resolver;
  private final Consumer<String> keyframeRequests;
  private final long requestIntervalNanos;
  private final Map<String, SequenceDecoder> decoders = new HashMap<>();
  private final Map<String, Long> lastRequest = new HashMap<>();

  /** What became of one frame. */
  public sealed interface Received permits Picture, Waiting {
    String camera();

    long sequence();
  }

  /**
   * The frame's picture ({@code image} is null when it was not asked for: the chain was advanced
   * only).
   */
  public record Picture(String camera, long sequence, FrameType type, PixelImage image)
      implements Received {}

  /**
   * No picture: the frame needs a chain this receiver does not hold, or could not be decoded.
   *
   * @param keySequence the key frame whose chain it needs (-1 when unknown)
   * @param requested whether a key frame was requested for the camera just now
   * @param reason why, in words
   */
  public record Waiting(
      String camera, long sequence, long keySequence, boolean requested, String reason)
      implements Received {}

  /**
   * @param keyframeRequests called with a camera id when its stream needs a key frame; may be null
   * @param requestIntervalNanos the least time between two requests for one camera
   */
  public FrameReceiver(
      ModelResolver resolver, Consumer<String> keyframeRequests, long requestIntervalNanos) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.keyframeRequests = keyframeRequests;
    this.requestIntervalNanos = requestIntervalNanos;
  }

  /**
   * Decodes the camera's next frame.
   *
   * @throws io.latentstream.codec.UnknownModelException when a key frame's model is not available
   *     here
   */
  public Received receive(String camera, byte[] bitstream) {
    return receive(camera, bitstream, true);
  }

  /**
   * Decodes the camera's next frame; with {@code picture} false only the chain advances (entropy
   * decoding, no synthesis transform: about a millisecond), for frames nobody looks at.
   */
  public Received receive(String camera, byte[] bitstream, boolean picture) {
    SequenceDecoder decoder = decoders.computeIfAbsent(camera, c -> new SequenceDecoder(resolver));
    LsfFormat.Parsed parsed;
    try {
      parsed = decoder.apply(bitstream);
    } catch (MissingReferenceException e) {
      decoder.reset();
      long sequence = e.referenceSequence() + 1;
      return new Waiting(camera, sequence, e.keySequence(), request(camera), e.getMessage());
    } catch (io.latentstream.codec.UnknownModelException e) {
      throw e;
    } catch (CodecException e) {
      // corrupt, or another model's chain: whatever follows needs a new key frame
      decoder.reset();
      return new Waiting(camera, -1, -1, request(camera), e.getMessage());
    }
    return new Picture(camera, parsed.sequence(), parsed.type(), picture ? decoder.image() : null);
  }

  private boolean request(String camera) {
    if (keyframeRequests == null) {
      return false;
    }
    long now = System.nanoTime();
    Long last = lastRequest.get(camera);
    if (last != null && now - last < requestIntervalNanos) {
      return false;
    }
    lastRequest.put(camera, now);
    keyframeRequests.accept(camera);
    return true;
  }

  /** Drops a camera's chain (its frames now go to another consumer). */
  public void forget(String camera) {
    decoders.remove(camera);
  }

  /** Drops every chain. */
  public void forgetAll() {
    decoders.clear();
  }
}
