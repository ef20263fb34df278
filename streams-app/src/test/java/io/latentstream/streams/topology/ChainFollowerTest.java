package io.latentstream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.DecodeLimits;
import io.latentstream.codec.image.CameraSimulator;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.sequence.DeltaOptions;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.codec.sequence.ReferenceState;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.codec.sequence.SequenceEncoder;
import io.latentstream.codec.sequence.SequenceFrame;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.streams.model.ActiveModels;
import java.nio.ByteBuffer;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ChainFollower} with {@link LatentFrameDecoder}: checkpoints kept as frames arrive bound
 * the walk of any random-access decode, and decode exactly what the whole chain decodes to.
 */
class ChainFollowerTest {
  private static final String CAMERA = "cam-1";
  private static final long KEY = 1000;
  private static final int FRAMES = 3 * ChainFollower.EVERY + 10;
  private static final DecodeLimits LIMITS = DecodeLimits.ofMaxPixels(1_000_000);
  private static ActiveModels models;

  /** The chain of one simulated fixed camera, KEY frame first. */
  private static List<LatentFrame> chain;

  /** What a decoder applying the whole chain from its key frame holds after each frame. */
  private static List<byte[]> fullChainPixels;

  @BeforeAll
  static void start() throws Exception {
    models = new ActiveModels(FixtureModels.modelsDir(), "default-q2", 2);
    models.loadNewestLocal();
    CameraSimulator camera =
        CameraSimulator.load(Paths.get("..", "data", "photos"), null, 64, 48, 1);
    SequenceEncoder encoder =
        new SequenceEncoder(
            models.resolve(models.currentVersion()),
            new KeyframePolicy(10_000, 0),
            DeltaOptions.DEFAULT);
    chain = new ArrayList<>();
    fullChainPixels = new ArrayList<>();
    SequenceDecoder full = new SequenceDecoder(models, LIMITS);
    for (int i = 0; i < FRAMES; i++) {
      SequenceFrame coded = encoder.encode(camera.image(0, i), KEY + i, -1);
      assertThat(coded.isKey()).isEqualTo(i == 0);
      chain.add(latent(coded));
      fullChainPixels.add(full.decode(coded.bitstream()).pixels());
    }
  }

  @AfterAll
  static void stop() {
    models.close();
  }

  /**
   * The decode store of one camera: frames and checkpoints by sequence, counting the frames read.
   */
  private static final class Store implements LatentFrameDecoder.Chain {
    final Map<Long, LatentFrame> frames = new HashMap<>();
    final TreeMap<Long, byte[]> checkpoints = new TreeMap<>();
    final AtomicInteger framesRead = new AtomicInteger();

    @Override
    public Optional<LatentFrame> frame(long sequence) {
      framesRead.incrementAndGet();
      return Optional.ofNullable(frames.get(sequence));
    }

    @Override
    public Optional<ReferenceState> checkpoint(long keySequence, long target) {
      var at = checkpoints.floorEntry(target);
      return at == null ? Optional.empty() : Optional.of(ReferenceState.fromBytes(at.getValue()));
    }

    void arrive(ChainFollower follower, LatentFrame frame) {
      frames.put(frame.getSequence(), frame);
      follower.follow(frame, this, state -> checkpoints.put(state.sequence(), state.toBytes()));
    }
  }

  @Test
  void
      shouldKeepACheckpointEveryNFramesSoThatAnyFrameDecodesWalkingFewerThanNFramesToTheFullChainsPixels() {
    Store store = new Store();
    ChainFollower follower = new ChainFollower(models, LIMITS);
    chain.forEach(frame -> store.arrive(follower, frame));

    assertThat(store.checkpoints.keySet())
        .containsExactly(
            KEY + ChainFollower.EVERY,
            KEY + 2L * ChainFollower.EVERY,
            KEY + 3L * ChainFollower.EVERY);
    assertThat(store.framesRead.get()).as("following in order reads no frame back").isZero();
    for (int i = 0; i < FRAMES; i++) {
      LatentFrameDecoder decoder =
          new LatentFrameDecoder(models, LIMITS); // cold: nothing kept of its own
      store.framesRead.set(0);

      LatentFrameDecoder.Result result = decoder.decode(chain.get(i), store);

      assertThat(result).as("frame %d", i).isInstanceOf(LatentFrameDecoder.Decoded.class);
      assertThat(((LatentFrameDecoder.Decoded) result).image().pixels())
          .as("frame %d", i)
          .isEqualTo(fullChainPixels.get(i));
      assertThat(store.framesRead.get())
          .as("frames walked to frame %d", i)
          .isLessThan(ChainFollower.EVERY);
    }
  }

  @Test
  void shouldCatchUpFromTheNewestCheckpointAfterARestartAndKeepCheckpointsIdentical() {
    Store uninterrupted = new Store();
    ChainFollower one = new ChainFollower(models, LIMITS);
    chain.forEach(frame -> uninterrupted.arrive(one, frame));
    Store restarted = new Store();
    ChainFollower follower = new ChainFollower(models, LIMITS);
    int restartAt = 2 * ChainFollower.EVERY + 7;
    chain.subList(0, restartAt).forEach(frame -> restarted.arrive(follower, frame));

    follower
        .forget(); // the task was re-initialised: the store (restored from its changelog) is all
    // there is
    restarted.framesRead.set(0);
    restarted.arrive(follower, chain.get(restartAt));
    assertThat(restarted.framesRead.get())
        .as("frames read to catch up")
        .isLessThan(ChainFollower.EVERY);
    chain.subList(restartAt + 1, FRAMES).forEach(frame -> restarted.arrive(follower, frame));

    assertThat(restarted.checkpoints.keySet()).isEqualTo(uninterrupted.checkpoints.keySet());
    restarted.checkpoints.forEach(
        (sequence, state) ->
            assertThat(state)
                .as("checkpoint %d", sequence)
                .isEqualTo(uninterrupted.checkpoints.get(sequence)));
  }

  @Test
  void shouldStopFollowingAChainWithAMissingFrameWithoutFailing() {
    Store store = new Store();
    ChainFollower follower = new ChainFollower(models, LIMITS);
    chain.subList(0, 10).forEach(frame -> store.arrive(follower, frame));
    follower.forget();
    store.frames.remove(KEY + 5); // expired, or never stored

    for (LatentFrame frame : chain.subList(10, FRAMES)) {
      store.arrive(follower, frame);
    }

    assertThat(store.checkpoints).as("no state can be built without frame 5").isEmpty();
    assertThat(store.framesRead.get())
        .as("frames read: the chain is walked to its gap once")
        .isEqualTo(6);
    LatentFrameDecoder.Result result =
        new LatentFrameDecoder(models, LIMITS).decode(chain.get(FRAMES - 1), store);
    assertThat(result).isInstanceOf(LatentFrameDecoder.Failed.class);
    assertThat(((LatentFrameDecoder.Failed) result).error()).contains("needs frame " + (KEY + 5));
  }

  static LatentFrame latent(SequenceFrame coded) {
    return LatentFrame.newBuilder()
        .setCameraId(CAMERA)
        .setSequence(coded.sequence())
        .setCaptureTime(Instant.EPOCH)
        .setEncodeTime(Instant.EPOCH)
        .setModelName("default-q2")
        .setModelVersion(coded.modelVersion())
        .setFrameType(coded.isKey() ? FrameType.KEY : FrameType.DELTA)
        .setOriginalWidth(coded.width())
        .setOriginalHeight(coded.height())
        .setOriginalFormat(PixelFormat.RGB24)
        .setBitstream(ByteBuffer.wrap(coded.bitstream()))
        .setBpp(coded.bpp())
        .setKeySequence(coded.keySequence())
        .setReferenceSequence(coded.isKey() ? null : coded.sequence() - 1)
        .build();
  }
}
