package io.latentstream.codec.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.CorruptBitstreamException;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.MissingReferenceException;
import io.latentstream.codec.ModelMismatchException;
import io.latentstream.codec.TestImages;
import io.latentstream.codec.bitstream.FrameType;
import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.entropy.RansCoder;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.model.ModelCatalog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Key and delta frames with the fixture models: chains, key-frame policy, typed errors,
 * compatibility.
 */
class SequenceCodingTest {
  private static ModelCatalog catalog;
  private static CodecModel q1;
  private static CodecModel q2;

  @BeforeAll
  static void load() {
    catalog = new ModelCatalog(FixtureModels.modelsDir(), 4);
    q1 = catalog.load("default", 1);
    q2 = catalog.load("default", 2);
  }

  @AfterAll
  static void close() {
    catalog.close();
  }

  /** A fixed camera: a static background with sensor noise and a square that moves now and then. */
  static PixelImage scene(int w, int h, int t, long noiseSeed) {
    PixelImage base = TestImages.synthetic(w, h, PixelFormat.RGB24, 1);
    byte[] px = base.pixels().clone();
    SplittableRandom rnd = new SplittableRandom(noiseSeed * 1_000_003L + t);
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) Math.max(0, Math.min(255, (px[i] & 0xff) + rnd.nextInt(5) - 2));
    }
    int x0 = (t / 3 * 4) % Math.max(1, w - 12);
    for (int y = 10; y < Math.min(h, 22); y++) {
      for (int x = x0; x < x0 + 12; x++) {
        int o = (y * w + x) * 3;
        px[o] = (byte) 250;
        px[o + 1] = 20;
        px[o + 2] = 20;
      }
    }
    return new PixelImage(w, h, PixelFormat.RGB24, px);
  }

  @Test
  void shouldDecodeA1000FrameChainBitExactlyToTheEncodersOwnReconstruction() {
    SequenceEncoder enc =
        new SequenceEncoder(q2, new KeyframePolicy(10_000, 0), DeltaOptions.DEFAULT);
    SequenceDecoder dec = new SequenceDecoder(catalog);
    long keyBytes = 0;
    long deltaBytes = 0;
    int deltas = 0;
    for (int t = 0; t < 1000; t++) {
      SequenceFrame f = enc.encode(scene(48, 32, t, 9), t, -1);
      assertThat(f.type()).isEqualTo(t == 0 ? FrameType.KEY : FrameType.DELTA);
      dec.apply(f.bitstream());
      assertThat(dec.state().latentSymbols())
          .as("frame %d", t)
          .isEqualTo(enc.state().latentSymbols());
      if (f.isKey()) {
        keyBytes += f.bitstream().length;
      } else {
        deltaBytes += f.bitstream().length;
        deltas++;
      }
    }
    PixelImage decoded = dec.image();
    PixelImage encoders =
        LearnedCodec.reconstruct(q2, enc.state().latentSymbols(), enc.state().keyHeader());
    assertThat(decoded.pixels()).isEqualTo(encoders.pixels());
    assertThat(dec.state().sequence()).isEqualTo(999);
    assertThat((double) deltaBytes / deltas)
        .as("mean DELTA bytes vs KEY")
        .isLessThan(keyBytes / 2.0);
  }

  @Test
  void shouldReconstructExactlyAsKeyFramesWithLosslessDeltaOptions() {
    SequenceEncoder enc =
        new SequenceEncoder(q1, new KeyframePolicy(100, 0), DeltaOptions.LOSSLESS);
    SequenceDecoder dec = new SequenceDecoder(catalog);
    LearnedCodec codec = LearnedCodec.of(q1);
    for (int t = 0; t < 20; t++) {
      PixelImage frame = scene(40, 24, t, 3);
      PixelImage viaDelta = dec.decode(enc.encode(frame, t, -1).bitstream());
      PixelImage viaKey = codec.decompress(codec.compress(frame).bitstream());
      assertThat(viaDelta.pixels()).as("frame %d", t).isEqualTo(viaKey.pixels());
    }
  }

  @Test
  void shouldKeepDeltaQualityCloseToKeyQualityOnAStaticScene() {
    SequenceEncoder enc = new SequenceEncoder(q2, KeyframePolicy.DEFAULT, DeltaOptions.DEFAULT);
    SequenceDecoder dec = new SequenceDecoder(catalog);
    double keyPsnr = 0;
    double deltaPsnr = 0;
    for (int t = 0; t < 40; t++) {
      PixelImage frame = scene(48, 32, 0, 100 + t); // nothing moves; only the sensor noise changes
      SequenceFrame f = enc.encode(frame, t, -1);
      double p = QualityMetrics.psnr(frame, dec.decode(f.bitstream()));
      if (f.isKey()) {
        keyPsnr = p;
      } else {
        deltaPsnr += p / 39;
      }
    }
    assertThat(deltaPsnr).isGreaterThan(keyPsnr - 0.3);
  }

  @Test
  void shouldStartKeyFramesForEveryCauseOfThePolicy() {
    SequenceEncoder enc =
        new SequenceEncoder(q1, new KeyframePolicy(5, 1000), DeltaOptions.DEFAULT);
    List<KeyframeCause> causes = new ArrayList<>();
    long[] seq = {0, 1, 2, 3, 4, 5, 6, 8, 8, 7, 9, 10, 11, 12, 13, 14};
    long[] time = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 2000, 2010, 2020, 2030};
    for (int i = 0; i < seq.length; i++) {
      if (i == 13) {
        enc.requestKeyframe();
      }
      if (i == 14) {
        enc.setModel(q2);
      }
      int w = i == 15 ? 64 : 48;
      causes.add(enc.encode(scene(w, 32, i, 1), seq[i], time[i]).cause());
    }
    assertThat(causes)
        .containsExactly(
            KeyframeCause.START,
            null,
            null,
            null,
            null,
            KeyframeCause.INTERVAL_FRAMES,
            null,
            KeyframeCause.SEQUENCE_GAP,
            KeyframeCause.SEQUENCE_GAP,
            KeyframeCause.SEQUENCE_GAP,
            KeyframeCause.SEQUENCE_GAP,
            null,
            KeyframeCause.INTERVAL_TIME,
            KeyframeCause.REQUEST,
            KeyframeCause.MODEL_CHANGE,
            KeyframeCause.FORMAT_CHANGE);
  }

  @Test
  void
      shouldFailWithTypedErrorsAndKeepItsStateWhenTheReferenceIsMissingTheModelDiffersOrTheDeltaIsCorrupt() {
    SequenceEncoder enc = new SequenceEncoder(q1, KeyframePolicy.DEFAULT, DeltaOptions.DEFAULT);
    List<byte[]> chain = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      chain.add(enc.encode(scene(48, 32, t * 3, 2), 100 + t, -1).bitstream());
    }
    SequenceDecoder fresh = new SequenceDecoder(catalog);
    assertThatThrownBy(() -> fresh.apply(chain.get(2)))
        .isInstanceOfSatisfying(
            MissingReferenceException.class,
            e -> {
              assertThat(e.keySequence()).isEqualTo(100);
              assertThat(e.referenceSequence()).isEqualTo(101);
              assertThat(e).hasMessageContaining("key frame 100");
            });
    assertThatThrownBy(() -> LearnedCodec.of(q1).decompress(chain.get(1)))
        .isInstanceOf(MissingReferenceException.class);

    SequenceDecoder dec = new SequenceDecoder(catalog);
    dec.apply(chain.get(0));
    dec.apply(chain.get(1));
    ReferenceState before = dec.state();
    assertThatThrownBy(() -> dec.apply(chain.get(3)))
        .isInstanceOf(MissingReferenceException.class)
        .hasMessageContaining("holds frame 101");
    byte[] corrupt = chain.get(2).clone();
    corrupt[corrupt.length / 2] ^= 0x44;
    assertThatThrownBy(() -> dec.apply(corrupt)).isInstanceOf(CorruptBitstreamException.class);
    byte[] truncated = Arrays.copyOf(chain.get(2), chain.get(2).length - 3);
    assertThatThrownBy(() -> dec.apply(truncated)).isInstanceOf(CorruptBitstreamException.class);
    assertThat(dec.state()).isSameAs(before);

    // a DELTA of another model's chain, at the right position
    SequenceEncoder other = new SequenceEncoder(q2, KeyframePolicy.DEFAULT, DeltaOptions.DEFAULT);
    other.encode(scene(48, 32, 0, 2), 100, -1);
    other.encode(scene(48, 32, 3, 2), 101, -1);
    byte[] foreign = other.encode(scene(48, 32, 6, 2), 102, -1).bitstream();
    assertThatThrownBy(() -> dec.apply(foreign)).isInstanceOf(ModelMismatchException.class);
    assertThat(dec.state()).isSameAs(before);

    dec.apply(chain.get(2)); // and the chain goes on
    assertThat(dec.state().sequence()).isEqualTo(102);
  }

  @Test
  void shouldResumeAChainFromASerialisedStateOnAnotherEncoderWithIdenticalBytes() {
    SequenceEncoder a = new SequenceEncoder(q1, KeyframePolicy.DEFAULT, DeltaOptions.DEFAULT);
    for (int t = 0; t < 5; t++) {
      a.encode(scene(48, 32, t, 4), t, 1000 + t);
    }
    ReferenceState saved = ReferenceState.fromBytes(a.state().toBytes());
    assertThat(saved.latentSymbols()).isEqualTo(a.state().latentSymbols());
    SequenceEncoder b =
        SequenceEncoder.resume(q1, KeyframePolicy.DEFAULT, DeltaOptions.DEFAULT, saved);
    for (int t = 5; t < 10; t++) {
      SequenceFrame fa = a.encode(scene(48, 32, t, 4), t, 1000 + t);
      SequenceFrame fb = b.encode(scene(48, 32, t, 4), t, 1000 + t);
      assertThat(fb.type()).isEqualTo(FrameType.DELTA);
      assertThat(fb.bitstream()).isEqualTo(fa.bitstream());
    }
    assertThatThrownBy(() -> ReferenceState.fromBytes(Arrays.copyOf(saved.toBytes(), 20)))
        .isInstanceOf(CorruptBitstreamException.class);
  }

  @Test
  void shouldStillDecodeVersion1Bitstreams() {
    PixelImage image = TestImages.synthetic(40, 24, PixelFormat.RGB24, 5);
    LearnedCodec codec = LearnedCodec.of(q1);
    byte[] v2 = codec.compress(image).bitstream();
    LsfFormat.Parsed parsed = LsfFormat.parse(v2);
    int[] q = LearnedCodec.readKeySymbols(parsed, q1);
    byte[] v1 = LsfFormat.writeV1(parsed.header(), RansCoder.encode(q, q1.entropy().ransTables()));
    assertThat(LsfFormat.parse(v1).formatVersion()).isEqualTo(1);
    assertThat(codec.decompress(v1).pixels()).isEqualTo(codec.decompress(v2).pixels());
    assertThat(new SequenceDecoder(catalog).decode(v1).pixels())
        .isEqualTo(codec.decompress(v2).pixels());
  }
}
