package io.latentstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.model.ModelResolver;
import io.latentstream.codec.sequence.FrameReceiver;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks on the committed contents of images.latent when frames are KEY and DELTA frames. */
final class Chains {
  private Chains() {}

  static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  /** The frames of each camera in topic order. */
  static Map<String, List<LatentFrame>> byCamera(List<LatentFrame> frames) {
    Map<String, List<LatentFrame>> out = new LinkedHashMap<>();
    frames.forEach(f -> out.computeIfAbsent(f.getCameraId(), c -> new ArrayList<>()).add(f));
    return out;
  }

  /**
   * Each frame's picture ("camera/sequence" to pixels), decoded per camera in topic order with the
   * consumer API.
   */
  static Map<String, byte[]> pictures(List<LatentFrame> frames, ModelResolver models) {
    Map<String, byte[]> out = new HashMap<>();
    for (Map.Entry<String, List<LatentFrame>> camera : byCamera(frames).entrySet()) {
      FrameReceiver receiver = new FrameReceiver(models, null, 0);
      for (LatentFrame f : camera.getValue()) {
        FrameReceiver.Received got = receiver.receive(f.getCameraId(), bytes(f.getBitstream()));
        if (got instanceof FrameReceiver.Picture p) {
          out.put(f.getCameraId() + "/" + f.getSequence(), p.image().pixels());
        }
      }
    }
    return out;
  }

  /**
   * Decodes every camera's committed frames in topic order with the consumer API, from the first:
   * every frame must give a picture (no DELTA ever refers to a frame that is not committed before
   * it). Returns the frames by type.
   */
  static Map<FrameType, Integer> assertEveryFrameDecodes(
      List<LatentFrame> frames, ModelResolver models) {
    Map<FrameType, Integer> types = new HashMap<>();
    for (Map.Entry<String, List<LatentFrame>> camera : byCamera(frames).entrySet()) {
      FrameReceiver receiver = new FrameReceiver(models, null, 0);
      for (LatentFrame f : camera.getValue()) {
        FrameReceiver.Received got = receiver.receive(f.getCameraId(), bytes(f.getBitstream()));
        assertThat(got)
            .as("%s/%d (%s)", f.getCameraId(), f.getSequence(), f.getFrameType())
            .isInstanceOf(FrameReceiver.Picture.class);
        assertThat(got.sequence()).isEqualTo(f.getSequence());
        types.merge(f.getFrameType(), 1, Integer::sum);
        if (f.getFrameType() == FrameType.DELTA) {
          assertThat(f.getReferenceSequence()).isEqualTo(f.getSequence() - 1);
        } else {
          assertThat(f.getKeySequence()).isEqualTo(f.getSequence());
        }
      }
    }
    return types;
  }
}
