package dev.maskseg.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Test helper: a pickle written opcode by opcode, and torch.save's zip layout around it, for hostile inputs. */
public final class PickleBytes {
    public static final int MARK = 0x28, STOP = 0x2e, EMPTY_DICT = 0x7d, EMPTY_LIST = 0x5d, EMPTY_TUPLE = 0x29, APPEND = 0x61, APPENDS = 0x65,
            SETITEM = 0x73, TUPLE = 0x74, TUPLE1 = 0x85, TUPLE2 = 0x86, LIST = 0x6c, REDUCE = 0x52, BINPERSID = 0x51, NEWFALSE = 0x89, DUP = 0x32,
            POP = 0x30;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PickleBytes() {
        out.write(0x80);
        out.write(2);
    }

    public PickleBytes op(int... codes) {
        for (int c : codes) out.write(c);
        return this;
    }

    public PickleBytes integer(int v) {
        out.write(0x4a);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        return this;
    }

    /** LONG1 of 8 bytes. */
    public PickleBytes longValue(long v) {
        out.write(0x8a);
        out.write(8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    public PickleBytes string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(0x58);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.writeBytes(b);
        return this;
    }

    public PickleBytes global(String module, String name) {
        out.write(0x63);
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    public PickleBytes put(int key) {
        out.write(0x72);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(key).array());
        return this;
    }

    public PickleBytes get(int key) {
        out.write(0x6a);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(key).array());
        return this;
    }

    /** {@code ('storage', torch.<type>, key, 'cpu', numel)} as a persistent id: pushes the storage. */
    public PickleBytes storage(String type, String key, long numel) {
        op(MARK).string("storage").global("torch", type).string(key).string("cpu").longValue(numel).op(TUPLE, BINPERSID);
        return this;
    }

    /** {@code _rebuild_tensor_v2(storage(type, key, numel), offset, size, stride, False, OrderedDict())}. */
    public PickleBytes tensor(String type, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        op(MARK);
        storage(type, key, numel);
        longValue(offset).op(MARK);
        for (long s : size) longValue(s);
        op(TUPLE, MARK);
        for (long s : stride) longValue(s);
        op(TUPLE, NEWFALSE).global("collections", "OrderedDict").op(EMPTY_TUPLE, REDUCE, TUPLE, REDUCE);
        return this;
    }

    public byte[] bytes() { return out.toByteArray(); }

    /** A torch.save zip with this pickle (STOP appended) and the given storages (raw bytes by key). */
    public void writePth(Path file, Map<String, byte[]> storages) throws IOException {
        op(STOP);
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(out.toByteArray());
            for (var e : storages.entrySet()) {
                zip.putNextEntry(new ZipEntry("archive/data/" + e.getKey()));
                zip.write(e.getValue());
            }
            zip.putNextEntry(new ZipEntry("archive/version"));
            zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }
}
