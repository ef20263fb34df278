package io.latentstream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.bitstream.LsfHeader;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.codec.sequence.DeltaOptions;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.codec.sequence.ReferenceState;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.codec.sequence.SequenceEncoder;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random mutations and truncations of valid bitstreams. What a user relies on: every case ends,
 * within seconds, either in one of the typed rejections a caller handles ({@link
 * CorruptBitstreamException}, {@link FrameTooLargeException} for a size beyond the decode limits,
 * {@link UnknownModelException} for a model version it does not have, {@link
 * MissingReferenceException} for a frame that needs its chain, {@link ModelMismatchException} for a
 * DELTA frame whose model fingerprint is not its chain's) or in an image of exactly the size and
 * pixel format its header declares, within the limits, decoded with bounded heap allocation; never
 * another exception, a hang or an out-of-memory error. Half of the mutants get a recomputed CRC so
 * that the header validation and the entropy decoder see the corruption instead of the checksum.
 */
class BitstreamFuzzTest {
  private static final int CASES = 10_000;

  /**
   * Decode limit of the fuzzed codec: far above the seeds, far below what a mutated header can
   * claim.
   */
  private static final DecodeLimits LIMITS = DecodeLimits.ofMaxPixels(256 * 256);

  /** Heap one decode may allocate: a 256x256 frame's buffers are a small fraction of it. */
  private static final long MAX_ALLOCATED_BYTES = 64L << 20;

  /** The exceptions a caller of the decoder is documented to handle. */
  private static final List<Class<? extends CodecException>> TYPED =
      List.of(
          CorruptBitstreamException.class,
          FrameTooLargeException.class,
          UnknownModelException.class,
          MissingReferenceException.class,
          ModelMismatchException.class);

  private static ModelCatalog catalog;

  @BeforeAll
  static void load() {
    catalog = new ModelCatalog(FixtureModels.modelsDir(), 4);
  }

  @AfterAll
  static void close() {
    catalog.close();
  }

  @Test
  void shouldDecodeOrThrowTypedExceptionWhenBitstreamIsMutatedOrTruncated() {
    LearnedCodec codec = new LearnedCodec(catalog.load("default", 1), catalog, LIMITS);
    List<byte[]> seeds = new ArrayList<>();
    seeds.add(codec.compress(TestImages.synthetic(24, 20, PixelFormat.RGB24, 1)).bitstream());
    seeds.add(codec.compress(TestImages.synthetic(1, 1, PixelFormat.GRAY8, 2)).bitstream());
    seeds.add(codec.compress(TestImages.synthetic(40, 9, PixelFormat.GRAY8, 3)).bitstream());
    SplittableRandom rnd = new SplittableRandom(2026);
    int decoded = 0;
    int rejected = 0;
    long start = System.nanoTime();
    for (int i = 0; i < CASES; i++) {
      byte[] mutant = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
      Outcome outcome =
          assertTimeoutPreemptively(
              Duration.ofSeconds(5),
              () -> decode(codec, mutant),
              () -> "case hung: " + Arrays.toString(mutant));
      if (outcome == Outcome.DECODED) {
        decoded++;
      } else {
        rejected++;
      }
    }
    double perCaseMs = (System.nanoTime() - start) / 1e6 / CASES;
    System.out.printf(
        "fuzz: %d decoded, %d rejected, %.3f ms/case%n", decoded, rejected, perCaseMs);
    assertThat(decoded + rejected).isEqualTo(CASES);
    assertThat(rejected).isGreaterThan(CASES / 2);
  }

  @Test
  void shouldDecodeOrThrowTypedExceptionAndKeepTheChainWhenDeltaFramesAreMutatedOrTruncated() {
    CodecModel model = catalog.load("default", 2);
    SequenceEncoder enc = new SequenceEncoder(model, KeyframePolicy.DEFAULT, DeltaOptions.LOSSLESS);
    List<byte[]> chain = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      chain.add(
          enc.encode(TestImages.synthetic(40, 24, PixelFormat.RGB24, t % 3), 500 + t, -1)
              .bitstream());
    }
    // the states after each frame, decoded once without faults
    List<ReferenceState> states = new ArrayList<>();
    SequenceDecoder clean = new SequenceDecoder(catalog);
    for (byte[] f : chain) {
      clean.apply(f);
      states.add(clean.state());
    }
    SplittableRandom rnd = new SplittableRandom(2027);
    int decoded = 0;
    int rejected = 0;
    for (int i = 0; i < CASES; i++) {
      int k = 1 + rnd.nextInt(chain.size() - 1);
      byte[] mutant = mutate(chain.get(k), rnd);
      SequenceDecoder dec = SequenceDecoder.resume(catalog, states.get(k - 1));
      boolean ok =
          assertTimeoutPreemptively(
              Duration.ofSeconds(5),
              () -> {
                try {
                  dec.apply(mutant);
                  return true;
                } catch (CodecException e) {
                  assertTyped(e, mutant);
                  return false;
                }
              },
              () -> "case hung: " + Arrays.toString(mutant));
      if (ok) {
        decoded++;
        // whatever decoded is a frame of this chain's size that the synthesis accepts
        assertThat(dec.state().keyHeader()).isEqualTo(states.get(0).keyHeader());
        if (decoded % 10 == 0) {
          PixelImage image = dec.image();
          assertThat(image.width()).isEqualTo(40);
          assertThat(image.height()).isEqualTo(24);
        }
      } else {
        rejected++;
        assertThat(dec.state()).as("a rejected frame leaves the state").isSameAs(states.get(k - 1));
      }
    }
    System.out.printf("delta fuzz: %d decoded, %d rejected%n", decoded, rejected);
    assertThat(rejected).isGreaterThan(CASES / 2);
  }

  private enum Outcome {
    DECODED,
    REJECTED
  }

  private static Outcome decode(LearnedCodec codec, byte[] bits) {
    long before = allocatedBytes();
    PixelImage image;
    try {
      image = codec.decompress(bits);
    } catch (CodecException e) {
      assertTyped(e, bits);
      return Outcome.REJECTED;
    }
    assertThat(allocatedBytes() - before)
        .as("heap allocated decoding %s", Arrays.toString(bits))
        .isLessThan(MAX_ALLOCATED_BYTES);
    // it decoded, so its header parses: the image is what the header declares, within the limits
    LsfHeader header = LsfFormat.parse(bits).header();
    assertThat(image.width()).isEqualTo(header.width());
    assertThat(image.height()).isEqualTo(header.height());
    assertThat(image.format()).isEqualTo(header.pixelFormat());
    assertThat(image.pixelCount()).isPositive().isLessThanOrEqualTo(LIMITS.maxPixels());
    assertThat(image.pixels())
        .hasSize(header.width() * header.height() * header.pixelFormat().channels());
    return Outcome.DECODED;
  }

  private static void assertTyped(CodecException e, byte[] bits) {
    assertThat(TYPED)
        .as("%s for %s", e, Arrays.toString(bits))
        .anyMatch(type -> type.isInstance(e));
    assertThat(e.getMessage()).isNotBlank();
  }

  /** Heap bytes this thread has allocated so far. */
  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  private static byte[] mutate(byte[] seed, SplittableRandom rnd) {
    byte[] b = seed.clone();
    switch (rnd.nextInt(5)) {
      case 0 -> b = Arrays.copyOf(b, rnd.nextInt(b.length)); // truncate
      case 1 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8)); // flip a bit
      case 2 -> { // overwrite a few bytes
        for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
      }
      case 3 -> { // header field attack: extreme values in the first 30 bytes
        int at = rnd.nextInt(Math.min(30, b.length));
        b[at] = (byte) (rnd.nextBoolean() ? 0xff : 0x00);
      }
      default -> { // append or insert garbage
        byte[] longer = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(8));
        for (int k = b.length; k < longer.length; k++) {
          longer[k] = (byte) rnd.nextInt(256);
        }
        b = longer;
      }
    }
    if (rnd.nextBoolean() && b.length >= 8) {
      CRC32 crc = new CRC32();
      crc.update(b, 0, b.length - 4);
      ByteBuffer.wrap(b, b.length - 4, 4).putInt((int) crc.getValue());
    }
    return b;
  }
}
