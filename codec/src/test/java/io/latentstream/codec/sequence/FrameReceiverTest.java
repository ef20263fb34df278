package io.latentstream.codec.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.model.ModelCatalog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FrameReceiverTest {
  private static ModelCatalog catalog;
  private static CodecModel model;

  @BeforeAll
  static void load() {
    catalog = new ModelCatalog(FixtureModels.modelsDir(), 4);
    model = catalog.load("default", 1);
  }

  @AfterAll
  static void close() {
    catalog.close();
  }

  @Test
  void shouldWaitAndRequestAKeyFrameWhenJoiningMidChainThenShowEveryPicture() {
    SequenceEncoder enc = new SequenceEncoder(model, KeyframePolicy.DEFAULT, DeltaOptions.DEFAULT);
    List<String> requests = new ArrayList<>();
    FrameReceiver receiver =
        new FrameReceiver(
            catalog,
            camera -> {
              requests.add(camera);
              enc.requestKeyframe(); // the sender answers the request with its next frame
            },
            Long.MAX_VALUE);
    for (int t = 0; t < 3; t++) {
      enc.encode(SequenceCodingTest.scene(48, 32, t, 1), t, -1); // sent before the receiver joined
    }
    List<FrameReceiver.Received> got = new ArrayList<>();
    for (int t = 3; t < 8; t++) {
      got.add(
          receiver.receive(
              "cam", enc.encode(SequenceCodingTest.scene(48, 32, t, 1), t, -1).bitstream()));
    }
    assertThat(got.get(0))
        .isInstanceOfSatisfying(
            FrameReceiver.Waiting.class,
            w -> {
              assertThat(w.sequence()).isEqualTo(3);
              assertThat(w.keySequence()).isEqualTo(0);
              assertThat(w.requested()).isTrue();
            });
    assertThat(requests).containsExactly("cam");
    assertThat(got.subList(1, 5))
        .allSatisfy(r -> assertThat(r).isInstanceOf(FrameReceiver.Picture.class));
    assertThat(got.get(1))
        .isInstanceOfSatisfying(
            FrameReceiver.Picture.class,
            p -> assertThat(p.type()).isEqualTo(io.latentstream.codec.bitstream.FrameType.KEY));
    assertThat(got.get(4).sequence()).isEqualTo(7);
  }
}
