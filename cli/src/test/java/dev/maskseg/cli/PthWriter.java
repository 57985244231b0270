package dev.maskseg.cli;

import dev.maskseg.engine.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Test helper: writes nested dicts of float32 tensors in torch.save's zip layout (protocol-2 pickle with
 * OrderedDict and _rebuild_tensor_v2), so full-size .pth checkpoints can be made without Python. The reader
 * itself is checked against files written by torch (engine-api PyTorchFilesTest).
 */
final class PthWriter {
    private final ByteArrayOutputStream pkl = new ByteArrayOutputStream();
    private final List<float[]> storages = new ArrayList<>();

    static void write(Path file, Map<String, ?> root) throws IOException {
        PthWriter w = new PthWriter();
        w.pkl.write(new byte[]{(byte) 0x80, 2});
        w.value(root);
        w.pkl.write('.');
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            stored(zip, "archive/data.pkl", w.pkl.toByteArray());
            for (int i = 0; i < w.storages.size(); i++) {
                float[] f = w.storages.get(i);
                ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(f);
                stored(zip, "archive/data/" + i, b.array());
            }
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private void value(Object v) throws IOException {
        switch (v) {
            case Map<?, ?> m -> {
                global("collections", "OrderedDict");
                pkl.write(')');
                pkl.write('R');
                pkl.write('(');
                for (var e : m.entrySet()) {
                    value(e.getKey());
                    value(e.getValue());
                }
                pkl.write('u');
            }
            case String s -> {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                pkl.write('X');
                int32(b.length);
                pkl.write(b);
            }
            case Long l -> { pkl.write('J'); int32(Math.toIntExact(l)); }
            case Tensor t -> tensor(t);
            default -> throw new IllegalArgumentException("PthWriter: " + v.getClass());
        }
    }

    private void tensor(Tensor t) throws IOException {
        int key = storages.size();
        storages.add(t.contiguous().toFloatArray());
        global("torch._utils", "_rebuild_tensor_v2");
        pkl.write('(');
        pkl.write('(');
        value("storage");
        global("torch", "FloatStorage");
        value(Integer.toString(key));
        value("cpu");
        value((long) t.numel());
        pkl.write('t');
        pkl.write('Q');
        value(0L);
        pkl.write('(');
        for (int s : t.shape()) value((long) s);
        pkl.write('t');
        pkl.write('(');
        int stride = 1;
        long[] strides = new long[t.dim()];
        for (int i = t.dim() - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= t.size(i);
        }
        for (long s : strides) value(s);
        pkl.write('t');
        pkl.write(0x89);
        global("collections", "OrderedDict");
        pkl.write(')');
        pkl.write('R');
        pkl.write('t');
        pkl.write('R');
    }

    private void global(String module, String name) throws IOException {
        pkl.write('c');
        pkl.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void int32(int v) {
        pkl.write(v & 0xFF);
        pkl.write((v >> 8) & 0xFF);
        pkl.write((v >> 16) & 0xFF);
        pkl.write((v >> 24) & 0xFF);
    }
}
