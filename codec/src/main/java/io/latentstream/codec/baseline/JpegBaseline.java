package io.latentstream.codec.baseline;

import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** JPEG through the JDK's ImageIO (baseline, 4:2:0 for colour), quality 10..95. Thread-safe. */
public final class JpegBaseline implements BaselineCodec {
  private static final List<Integer> QUALITIES = List.of(10, 20, 30, 40, 50, 60, 70, 80, 90, 95);

  @Override
  public String name() {
    return "jpeg";
  }

  @Override
  public List<Integer> qualities() {
    return QUALITIES;
  }

  /** JPEG bytes at {@code quality} (1..100). */
  public byte[] encode(PixelImage image, int quality) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality / 100f);
      writer.write(null, new IIOImage(ImageFiles.toBufferedImage(image), null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  @Override
  public Result roundTrip(PixelImage image, int quality) throws IOException {
    byte[] jpeg = encode(image, quality);
    PixelImage decoded = ImageFiles.decode(jpeg, "jpeg q" + quality);
    return new Result(jpeg.length, Conversions.like(decoded, image, ContainerFormat.JPEG));
  }
}
