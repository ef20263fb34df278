package io.latentstream.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated instance of each record type, for round-trip tests. */
public final class SampleRecords {

  /** Millisecond precision: timestamp-millis drops anything finer. */
  public static final Instant T0 = Instant.parse("2026-11-25T12:00:00.123Z");

  private SampleRecords() {}

  public static RawFrame rawFrame() {
    byte[] pixels = new byte[4 * 3 * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7);
    }
    return RawFrame.newBuilder()
        .setCameraId("cam-1")
        .setSequence(42L)
        .setCaptureTime(T0)
        .setWidth(4)
        .setHeight(3)
        .setPixelFormat(PixelFormat.RGB24)
        .setPixels(ByteBuffer.wrap(pixels))
        .setHeaders(Map.of("exposure", "1/250"))
        .build();
  }

  public static LatentFrame latentFrame() {
    return LatentFrame.newBuilder()
        .setCameraId("cam-1")
        .setSequence(42L)
        .setCaptureTime(T0)
        .setEncodeTime(T0.plusMillis(38))
        .setModelName("default-q3")
        .setModelVersion("default-q3-20261125120000-1a2b3c4d")
        .setFrameType(FrameType.KEY)
        .setOriginalWidth(640)
        .setOriginalHeight(480)
        .setOriginalFormat(PixelFormat.JPEG)
        .setBitstream(ByteBuffer.wrap(new byte[] {'L', 'S', 'F', 1, 2, 3}))
        .setBpp(0.412)
        .setPsnr(31.2)
        .build();
  }

  public static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setSourceTopic("images.raw")
        .setSourcePartition(2)
        .setSourceOffset(1234L)
        .setSourceTimestamp(T0)
        .setKey(ByteBuffer.wrap("cam-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .setReason(DeadLetterReason.ZERO_DIMENSIONS)
        .setMessage("width 0")
        .setExceptionClass("java.lang.IllegalArgumentException")
        .setModelVersion(null)
        .setFailureTime(T0.plusSeconds(1))
        .setOriginalSize(17L)
        .setValue(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 1, 9}))
        .build();
  }

  public static ModelRelease modelRelease() {
    return ModelRelease.newBuilder()
        .setModelName("default-q3")
        .setVersion("default-q3-20261125120000-1a2b3c4d")
        .setParentVersion("default-q3-20261120090000-99aa88bb")
        .setCreatedAt(T0)
        .setSha256("1a2b3c4d".repeat(8))
        .setLocation(
            ArtifactChunks.newBuilder()
                .setTopic("models.artifacts")
                .setChunkCount(12)
                .setTotalSizeBytes(11_534_336L)
                .build())
        .setMetrics(
            EvaluationMetrics.newBuilder()
                .setDataset("heldout-photos")
                .setImageCount(6)
                .setBpp(0.412)
                .setPsnr(31.2)
                .setMsssim(0.962)
                .setAdditional(Map.of("encodeMillis", 38.0))
                .build())
        .setTrainingData(
            TrainingDataSummary.newBuilder()
                .setSources(List.of("photos", "images.sample"))
                .setImageCount(28)
                .setSteps(200_000L)
                .setDescription("crop 128x128, batch 8")
                .build())
        .setStatus(ModelStatus.PROMOTED)
        .setStatusReason("psnr +0.4 dB at equal bpp")
        .setSignature(ByteBuffer.wrap(new byte[64]))
        .build();
  }

  /**
   * A release with only the fields a publisher does not fill in (creation time, status, metrics,
   * training data): what tests hand to a publisher with a package.
   */
  public static ModelRelease.Builder releaseToPublish() {
    return ModelRelease.newBuilder()
        .setCreatedAt(T0)
        .setStatus(ModelStatus.PROMOTED)
        .setMetrics(
            EvaluationMetrics.newBuilder()
                .setDataset("fixture")
                .setImageCount(1)
                .setBpp(1.0)
                .setPsnr(30.0)
                .build())
        .setTrainingData(
            TrainingDataSummary.newBuilder()
                .setSources(List.of("fixture"))
                .setImageCount(1)
                .setSteps(0)
                .build());
  }

  public static DecodeRequest decodeRequest() {
    return DecodeRequest.newBuilder()
        .setRequestId("req-1")
        .setCameraId("cam-1")
        .setSequence(42L)
        .setOutputFormat(DecodeOutputFormat.PNG)
        .setReplyKey("client-7")
        .setRequestTime(T0)
        .build();
  }

  public static DecodedFrame decodedFrame() {
    return DecodedFrame.newBuilder()
        .setRequestId("req-1")
        .setCameraId("cam-1")
        .setSequence(42L)
        .setStatus(DecodeStatus.OK)
        .setError(null)
        .setWidth(640)
        .setHeight(480)
        .setFormat(PixelFormat.PNG)
        .setPixels(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G'}))
        .setModelVersion("default-q3-20261125120000-1a2b3c4d")
        .setDecodeTime(T0.plusMillis(60))
        .build();
  }

  /** One of each of the six record types. */
  public static List<SpecificRecord> all() {
    return List.of(
        rawFrame(), latentFrame(), deadLetter(), modelRelease(), decodeRequest(), decodedFrame());
  }
}
