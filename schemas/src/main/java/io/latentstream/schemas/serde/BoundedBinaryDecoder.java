package io.latentstream.schemas.serde;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Avro binary decoder over an in-memory payload that refuses lengths and item counts larger than
 * the bytes left, before allocating. Avro's own decoder allocates whatever a (possibly garbage)
 * length prefix says, up to 2 GiB, so a few random bytes could exhaust the heap.
 *
 * <p>Counts are bounded by the bytes left, which assumes each collection item takes at least one
 * byte: true for every collection in our schemas (strings and map keys). Collections the reader
 * skips (fields only the writer schema has, which may be of any type) are counted too: items of
 * zero bytes (null, empty records) cost no input, so a single block could declare 2^62 of them and
 * keep the thread skipping for ever. All the collection items of one payload, read or skipped, may
 * therefore number at most its size in bytes; a payload declaring more is malformed. Not
 * thread-safe: one per payload.
 */
final class BoundedBinaryDecoder extends Decoder {

  private final ByteArrayInputStream in;
  private final BinaryDecoder delegate;

  /** Collection items this payload may still declare, read or skipped. */
  private long itemBudget;

  BoundedBinaryDecoder(byte[] payload, int offset) {
    this.in = new ByteArrayInputStream(payload, offset, payload.length - offset);
    this.itemBudget = payload.length - offset;
    // direct (unbuffered), so in.available() is exactly what is left to decode
    this.delegate = DecoderFactory.get().directBinaryDecoder(in, null);
  }

  /** Bytes not consumed yet. */
  int remaining() {
    return in.available();
  }

  private int checkedLength(long length) throws EOFException {
    if (length < 0) {
      throw new AvroRuntimeException("Malformed data: negative length " + length);
    }
    if (length > in.available()) {
      throw new EOFException(
          "Declared length " + length + " exceeds the " + in.available() + " byte(s) left");
    }
    return (int) length;
  }

  private long checkedCount(long count) throws EOFException {
    if (count > in.available()) {
      throw new EOFException(
          "Declared "
              + count
              + " collection items but only "
              + in.available()
              + " byte(s) are left");
    }
    return counted(count);
  }

  /** Charges skipped items to the payload's budget (a skipped item may take no bytes at all). */
  private long counted(long count) {
    if (count < 0 || count > itemBudget) {
      throw new AvroRuntimeException(
          "Malformed data: "
              + count
              + " more collection items declared than the "
              + "payload's size allows ("
              + itemBudget
              + " left)");
    }
    itemBudget -= count;
    return count;
  }

  @Override
  public void readNull() throws IOException {
    delegate.readNull();
  }

  @Override
  public boolean readBoolean() throws IOException {
    return delegate.readBoolean();
  }

  @Override
  public int readInt() throws IOException {
    return delegate.readInt();
  }

  @Override
  public long readLong() throws IOException {
    return delegate.readLong();
  }

  @Override
  public float readFloat() throws IOException {
    return delegate.readFloat();
  }

  @Override
  public double readDouble() throws IOException {
    return delegate.readDouble();
  }

  @Override
  public Utf8 readString(Utf8 old) throws IOException {
    int length = checkedLength(delegate.readLong());
    Utf8 result = old != null ? old : new Utf8();
    result.setByteLength(length);
    delegate.readFixed(result.getBytes(), 0, length);
    return result;
  }

  @Override
  public String readString() throws IOException {
    int length = checkedLength(delegate.readLong());
    byte[] bytes = new byte[length];
    delegate.readFixed(bytes, 0, length);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public void skipString() throws IOException {
    delegate.skipString();
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    int length = checkedLength(delegate.readLong());
    // never reuse the caller's buffer: a record handed out earlier may still hold it
    byte[] bytes = new byte[length];
    delegate.readFixed(bytes, 0, length);
    return ByteBuffer.wrap(bytes);
  }

  @Override
  public void skipBytes() throws IOException {
    delegate.skipBytes();
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) throws IOException {
    delegate.readFixed(bytes, start, length);
  }

  @Override
  public void skipFixed(int length) throws IOException {
    delegate.skipFixed(length);
  }

  @Override
  public int readEnum() throws IOException {
    return delegate.readEnum();
  }

  @Override
  public long readArrayStart() throws IOException {
    return checkedCount(delegate.readArrayStart());
  }

  @Override
  public long arrayNext() throws IOException {
    return checkedCount(delegate.arrayNext());
  }

  @Override
  public long skipArray() throws IOException {
    return counted(delegate.skipArray());
  }

  @Override
  public long readMapStart() throws IOException {
    return checkedCount(delegate.readMapStart());
  }

  @Override
  public long mapNext() throws IOException {
    return checkedCount(delegate.mapNext());
  }

  @Override
  public long skipMap() throws IOException {
    return counted(delegate.skipMap());
  }

  @Override
  public int readIndex() throws IOException {
    return delegate.readIndex();
  }
}
