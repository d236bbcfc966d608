package io.paramlab.formats;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A zip read front to back from a stream, as torch.save's files need: PyTorch's writer (miniz)
 * marks every STORED entry "sizes in a data descriptor after the data", which the JDK's
 * ZipInputStream refuses. An entry whose size we know (a storage: numel times element size, from
 * the pickle read before it) is read for exactly that many bytes, then its descriptor checked; an
 * entry of unknown size is scanned for the descriptor whose CRC and size match what came before
 * it. DEFLATED entries inflate until the deflate stream ends. Every entry's CRC is verified.
 */
final class ZipStream {
    private static final int LOCAL = 0x04034b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int END = 0x06054b50;
    private static final int END64 = 0x06064b50;
    private static final int END64_LOCATOR = 0x07064b50;
    private static final int DESCRIPTOR = 0x08074b50;

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private long offset;
    private Entry current;

    ZipStream(InputStream in) {
        this.in = in;
    }

    /** A local file header: name, method, whether sizes follow the data, and the sizes it states. */
    final class Entry extends InputStream {
        final String name;
        final boolean deflated;
        final boolean descriptor;
        final long crc;
        final long compressedSize;
        final long size;
        private long expected = -1;
        private long produced;
        private long consumed;
        private final CRC32 running = new CRC32();
        private final Inflater inflater;
        private boolean done;

        private Entry(String name, int method, int flags, long crc, long compressedSize, long size) {
            this.name = name;
            this.deflated = method == 8;
            this.descriptor = (flags & 8) != 0;
            this.crc = crc;
            this.compressedSize = compressedSize;
            this.size = size;
            this.inflater = deflated ? new Inflater(true) : null;
        }

        /** Read exactly {@code bytes} (what the pickle says the storage holds) instead of scanning for the end. */
        void expectSize(long bytes) {
            expected = bytes;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = deflated ? inflate(b, off, len) : stored(b, off, len);
            if (n < 0) {
                finish();
                return -1;
            }
            running.update(b, off, n);
            produced += n;
            return n;
        }

        private int stored(byte[] b, int off, int len) throws IOException {
            long known = !descriptor ? size : expected;
            if (known >= 0) {
                if (produced >= known) {
                    return -1;
                }
                int n = take(b, off, (int) Math.min(len, known - produced));
                if (n < 0) {
                    throw new EOFException("entry " + name + " is cut short");
                }
                consumed += n;
                return n;
            }
            // unknown size: emit bytes up to the next "PK\7\8" that is followed by a matching descriptor;
            // a candidate is only judged at the start of a call, once the CRC has caught up
            int n = 0;
            while (n < len && fill(1)) {
                if (buf[pos] == 'P') {
                    if (n > 0) {
                        break;
                    }
                    if (descriptorHere()) {
                        return -1;
                    }
                }
                b[off + n++] = buf[pos++];
                offset++;
            }
            if (n == 0) {
                throw new EOFException("entry " + name + " has no data descriptor");
            }
            consumed += n;
            return n;
        }

        private boolean descriptorHere() throws IOException {
            return fill(16) && intAt(pos) == DESCRIPTOR && matches(pos + 4, running.getValue(), consumed, produced);
        }

        private int inflate(byte[] b, int off, int len) throws IOException {
            try {
                while (true) {
                    if (inflater.finished()) {
                        return -1;
                    }
                    int n = inflater.inflate(b, off, len);
                    if (inflater.finished()) {
                        giveBack();
                    }
                    if (n > 0) {
                        return n;
                    }
                    if (inflater.finished()) {
                        return -1;
                    }
                    if (inflater.needsDictionary() || !inflater.needsInput()) {
                        throw new EOFException("entry " + name + " is not valid deflate data");
                    }
                    feed();
                }
            } catch (DataFormatException e) {
                throw new EOFException("entry " + name + " is not valid deflate data");
            }
        }

        /** Hands the inflater what the buffer holds (all of it was used before this is called). */
        private void feed() throws IOException {
            if (!fill(1)) {
                throw new EOFException("entry " + name + " is cut short");
            }
            int available = lim - pos;
            if (!descriptor) {
                available = (int) Math.min(available, compressedSize - consumed);
                if (available <= 0) {
                    throw new EOFException("entry " + name + " is longer than its compressed size");
                }
            }
            inflater.setInput(buf, pos, available);
            pos += available;
            offset += available;
            consumed += available;
        }

        /** The bytes after the deflate stream's end belong to what follows the entry. */
        private void giveBack() {
            int back = inflater.getRemaining();
            pos -= back;
            offset -= back;
            consumed -= back;
        }

        /** At the entry's end: read the descriptor if there is one, and check CRC and sizes. */
        private void finish() throws IOException {
            done = true;
            if (inflater != null) {
                inflater.end();
            }
            if (!descriptor) {
                if (crc != running.getValue() || size != produced || compressedSize != consumed) {
                    throw damaged();
                }
                return;
            }
            if (!fill(16)) {
                throw new EOFException("entry " + name + " has no data descriptor");
            }
            if (intAt(pos) == DESCRIPTOR) { // the signature is optional
                advance(4);
            }
            if (matches(pos, running.getValue(), consumed, produced)) {
                advance(12);
            } else if (fill(20) && uint(pos) == running.getValue() && longAt(pos + 4) == consumed
                    && longAt(pos + 12) == produced) { // ZIP64: 8-byte sizes
                advance(20);
            } else {
                throw damaged();
            }
        }

        private FormatException damaged() {
            return new FormatException("invalid-zip", "zip entry " + name
                    + " does not match its CRC or size: the file is damaged or cut short");
        }
    }

    /** The next entry, or null where the central directory begins (everything we need came before it). */
    Entry next() throws IOException {
        if (current != null && !current.done) {
            byte[] sink = new byte[8192];
            while (current.read(sink, 0, sink.length) >= 0) {
                // drained by the caller's bound: the stream below counts every byte
            }
        }
        current = null;
        if (!fill(4)) {
            throw new EOFException("the zip ends without a central directory");
        }
        int signature = intAt(pos);
        if (signature == CENTRAL || signature == END || signature == END64) {
            return null;
        }
        if (signature != LOCAL) {
            throw new FormatException("invalid-zip", "no zip entry header at byte " + offset + ": the file is damaged");
        }
        if (!fill(30)) {
            throw new EOFException("a zip entry header is cut short");
        }
        int flags = shortAt(pos + 6);
        int method = shortAt(pos + 8);
        long crc = uint(pos + 14);
        long compressed = uint(pos + 18);
        long size = uint(pos + 22);
        int nameLength = shortAt(pos + 26);
        int extraLength = shortAt(pos + 28);
        advance(30);
        if (!fill(nameLength)) {
            throw new EOFException("a zip entry name is cut short");
        }
        String name = new String(buf, pos, nameLength, StandardCharsets.UTF_8);
        advance(nameLength);
        skipBytes(extraLength);
        if ((flags & 1) != 0) {
            throw new FormatException("invalid-zip", "zip entry " + name + " is encrypted");
        }
        if (method != 0 && method != 8) {
            throw new FormatException("invalid-zip", "zip entry " + name + " uses compression method " + method
                    + "; torch.save stores entries uncompressed");
        }
        if (compressed == 0xffffffffL || size == 0xffffffffL) {
            throw new FormatException("invalid-zip", "zip entry " + name + " has ZIP64 sizes in its header, which are not supported");
        }
        if (method == 0 && (flags & 8) == 0 && compressed != size) {
            throw new FormatException("invalid-zip", "stored zip entry " + name + " has different sizes");
        }
        current = new Entry(name, method, flags, crc, compressed, size);
        return current;
    }

    /**
     * After {@link #next} returned null: walks the central directory, the ZIP64 end records and
     * the end record to the end of the stream, so a body is taken only when it is a whole zip
     * (a cut or extended file is refused even though every entry we need came before).
     */
    void finish() throws IOException {
        while (true) {
            if (!fill(4)) {
                throw new EOFException("the zip ends before its end-of-central-directory record");
            }
            int signature = intAt(pos);
            if (signature == CENTRAL) {
                need(46);
                int variable = shortAt(pos + 28) + shortAt(pos + 30) + shortAt(pos + 32);
                advance(46);
                skipBytes(variable);
            } else if (signature == END64) {
                need(12);
                long size = longAt(pos + 4);
                advance(12);
                skipBytes(size);
            } else if (signature == END64_LOCATOR) {
                need(20);
                advance(20);
            } else if (signature == END) {
                need(22);
                int comment = shortAt(pos + 20);
                advance(22);
                skipBytes(comment);
                if (fill(1)) {
                    throw new FormatException("trailing-bytes", "the file goes on after the zip's end record (byte " + offset
                            + "): it is not one whole torch.save file");
                }
                return;
            } else {
                throw new FormatException("invalid-zip", "no central directory record at byte " + offset + ": the file is damaged");
            }
        }
    }

    private void need(int n) throws IOException {
        if (!fill(n)) {
            throw new EOFException("the zip's central directory is cut short");
        }
    }

    /** A descriptor's CRC, compressed size and size (4 bytes each) at {@code at} are these. */
    private boolean matches(int at, long crc, long compressed, long size) {
        return lim - at >= 12 && uint(at) == crc && uint(at + 4) == (compressed & 0xffffffffL)
                && uint(at + 8) == (size & 0xffffffffL);
    }

    /** Up to len bytes from the buffer or the stream, -1 at the end. */
    private int take(byte[] b, int off, int len) throws IOException {
        if (!fill(1)) {
            return -1;
        }
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        offset += n;
        return n;
    }

    /** Makes at least n bytes available at pos (n at most the buffer); false at the end of the stream. */
    private boolean fill(int n) throws IOException {
        if (lim - pos >= n) {
            return true;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        while (lim < n) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                return false;
            }
            lim += r;
        }
        return true;
    }

    /** Moves past n buffered bytes (named so Entry's inherited InputStream.skip cannot shadow it). */
    private void advance(int n) {
        pos += n;
        offset += n;
    }

    private void skipBytes(long n) throws IOException {
        while (n > 0) {
            if (!fill(1)) {
                throw new EOFException("a zip entry header is cut short");
            }
            int k = (int) Math.min(n, lim - pos);
            advance(k);
            n -= k;
        }
    }

    private int shortAt(int at) {
        return (buf[at] & 0xff) | (buf[at + 1] & 0xff) << 8;
    }

    private int intAt(int at) {
        return shortAt(at) | shortAt(at + 2) << 16;
    }

    private long uint(int at) {
        return intAt(at) & 0xffffffffL;
    }

    private long longAt(int at) {
        return uint(at) | uint(at + 4) << 32;
    }
}
