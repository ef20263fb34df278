package io.latentstream.codec.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.TestImages;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CodecModelConcurrencyTest {

  @Test
  void shouldFinishInFlightCallsAndRejectNewOnesWhenClosedUnderLoad() throws Exception {
    CodecModel model = CodecModel.load(FixtureModels.level(2));
    LearnedCodec codec = LearnedCodec.of(model);
    PixelImage image = TestImages.synthetic(64, 48, PixelFormat.RGB24, 4);
    byte[] reference = codec.compress(image).bitstream();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger closedErrors = new AtomicInteger();
    CountDownLatch running = new CountDownLatch(4);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      futures.add(
          pool.submit(
              () -> {
                running.countDown();
                for (int i = 0; i < 10_000; i++) {
                  try {
                    assertThat(codec.compress(image).bitstream()).isEqualTo(reference);
                    ok.incrementAndGet();
                  } catch (ModelClosedException e) {
                    closedErrors.incrementAndGet();
                    return;
                  }
                }
              }));
    }
    running.await();
    while (ok.get() < 20) {
      Thread.onSpinWait();
    }
    model.close(); // must wait for in-flight calls: a crash here would kill the test JVM
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(model.isClosed()).isTrue();
    assertThat(closedErrors.get()).isEqualTo(4);
    assertThat(ok.get()).isGreaterThanOrEqualTo(20);
    model.close(); // idempotent
  }
}
