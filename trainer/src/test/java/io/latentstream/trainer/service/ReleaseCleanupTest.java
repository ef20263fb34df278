package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.ModelStatus;
import io.latentstream.schemas.SampleRecords;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which superseded model versions the trainer deletes: the selection rule alone, on records made
 * here.
 */
class ReleaseCleanupTest {
  private static final long HOUR = 3600_000L;
  private static final String V1 = "cam-q3-20260101000000-00000001";
  private static final String V2 = "cam-q3-20260102000000-00000002";
  private static final String V3 = "cam-q3-20260103000000-00000003";

  private static ReleaseHistory.Entry promoted(String version, long publishedAt) {
    return entry(version, version, publishedAt, ModelStatus.PROMOTED);
  }

  private static ReleaseHistory.Entry entry(
      String key, String version, long publishedAt, ModelStatus status) {
    ModelRelease r =
        SampleRecords.releaseToPublish()
            .setModelName("cam-q3")
            .setVersion(version)
            .setSha256("00")
            .setStatus(status)
            .setLocation(new ArtifactChunks("models.artifacts", 3, 3000L))
            .setPublishedAt(Instant.ofEpochMilli(publishedAt))
            .build();
    return new ReleaseHistory.Entry(key, publishedAt, r);
  }

  private static List<String> deleted(
      List<ReleaseHistory.Entry> entries, long now, long retention) {
    return ReleaseCleanup.select(entries, r -> true, now, retention, HOUR).stream()
        .map(ReleaseCleanup.Deletion::version)
        .toList();
  }

  @Test
  void shouldDeleteAVersionSupersededLongerAgoThanRetentionPlusMargin() {
    List<ReleaseHistory.Entry> h = List.of(promoted(V1, 0), promoted(V2, 10 * HOUR));
    // frames of V1 reach up to the swap at 10 h; retained 24 h, plus a 1 h margin
    assertThat(deleted(h, 10 * HOUR + 25 * HOUR - 1, 24 * HOUR)).isEmpty();
    List<ReleaseCleanup.Deletion> d =
        ReleaseCleanup.select(h, r -> true, 10 * HOUR + 25 * HOUR + 1, 24 * HOUR, HOUR);
    assertThat(d).extracting(ReleaseCleanup.Deletion::version).containsExactly(V1);
    assertThat(d.get(0).chunkCount()).isEqualTo(3);
    assertThat(d.get(0).releaseKeys()).containsExactly(V1);
    assertThat(d.get(0).supersededAt()).isEqualTo(10 * HOUR);
  }

  @Test
  void shouldNeverDeleteTheChampionNorAnythingWhenFramesAreKeptForever() {
    List<ReleaseHistory.Entry> h = List.of(promoted(V1, 0), promoted(V2, HOUR));
    assertThat(deleted(h, 1000 * HOUR, -1)).isEmpty();
    assertThat(deleted(h, 1000 * HOUR, 0)).containsExactly(V1);
    assertThat(deleted(List.of(promoted(V1, 0)), 1000 * HOUR, 0)).isEmpty();
  }

  @Test
  void shouldKeepAVersionARollbackPointsToAndCountSupersessionFromItsLastPromotion() {
    // V1, then V2, then a rollback to V1 at 20 h: V1 is the champion again, V2 was superseded at 20
    // h
    List<ReleaseHistory.Entry> h =
        List.of(promoted(V1, 0), promoted(V2, 10 * HOUR), promoted(V1, 20 * HOUR));
    assertThat(deleted(h, 1000 * HOUR, 0)).containsExactly(V2);
    assertThat(deleted(h, 20 * HOUR + 2 * HOUR, 0)).containsExactly(V2);
    assertThat(deleted(h, 20 * HOUR + 30 * 60_000L, 0))
        .isEmpty(); // within the margin of the rollback

    // then V3 at 30 h: V1 is superseded at 30 h (not at 10 h: it served again from 20 h)
    List<ReleaseHistory.Entry> later =
        List.of(
            promoted(V1, 0),
            promoted(V2, 10 * HOUR),
            promoted(V1, 20 * HOUR),
            promoted(V3, 30 * HOUR));
    assertThat(deleted(later, 30 * HOUR + 2 * HOUR - 1, HOUR)).containsExactly(V2);
    assertThat(deleted(later, 30 * HOUR + 2 * HOUR + 1, 0)).containsExactlyInAnyOrder(V1, V2);
  }

  @Test
  void shouldIgnoreUntrustedAndNonPromotedRecords() {
    ReleaseHistory.Entry forged = promoted(V3, 50 * HOUR);
    List<ReleaseHistory.Entry> h =
        List.of(
            promoted(V1, 0),
            promoted(V2, 10 * HOUR),
            forged,
            entry(V1, V1, 60 * HOUR, ModelStatus.REJECTED));
    // a forged promotion of V3 does not supersede the champion V2, and a REJECTED record is no
    // promotion
    List<String> out =
        ReleaseCleanup.select(h, r -> r != forged.release(), 1000 * HOUR, 0, HOUR).stream()
            .map(ReleaseCleanup.Deletion::version)
            .toList();
    assertThat(out).containsExactly(V1);
  }

  @Test
  void shouldTombstoneTheNameKeyOnlyWhereItsLatestRecordIsTheDeletedVersion() {
    // before releases were keyed by version: V1 and V2 under the model name, then V3 under its
    // version
    List<ReleaseHistory.Entry> h =
        List.of(
            entry("cam-q3", V1, 0, ModelStatus.PROMOTED),
            entry("cam-q3", V2, 10 * HOUR, ModelStatus.PROMOTED),
            promoted(V3, 20 * HOUR));
    List<ReleaseCleanup.Deletion> d = ReleaseCleanup.select(h, r -> true, 1000 * HOUR, 0, HOUR);
    assertThat(d).extracting(ReleaseCleanup.Deletion::version).containsExactlyInAnyOrder(V1, V2);
    assertThat(
            d.stream().filter(x -> x.version().equals(V1)).findFirst().orElseThrow().releaseKeys())
        .isEmpty();
    assertThat(
            d.stream().filter(x -> x.version().equals(V2)).findFirst().orElseThrow().releaseKeys())
        .containsExactly("cam-q3");
  }
}
