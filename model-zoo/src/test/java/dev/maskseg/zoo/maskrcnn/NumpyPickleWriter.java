package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test helper: writes {@code {"model": {name: float32 ndarray}, "__author__": author[, "matching_heuristics": True]}} as
 * Python 3's pickle protocol 4 writes detectron2's .pkl files (numpy.core.multiarray._reconstruct + BUILD, array data as
 * BINBYTES), so full-size files can be made without Python. The reader itself is checked against files written by
 * Python and numpy (engine-api NumpyPicklesTest).
 */
final class NumpyPickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static void write(Path file, Map<String, Tensor> model, String author, boolean matchingHeuristics) throws IOException {
        NumpyPickleWriter w = new NumpyPickleWriter();
        w.out.write(new byte[]{(byte) 0x80, 4, '}', '('});
        w.str("model");
        w.out.write(new byte[]{'}', '('});
        for (var e : model.entrySet()) {
            w.str(e.getKey());
            w.array(e.getValue());
        }
        w.out.write('u');
        w.str("__author__");
        w.str(author);
        if (matchingHeuristics) {
            w.str("matching_heuristics");
            w.out.write(0x88);
        }
        w.out.write(new byte[]{'u', '.'});
        Files.write(file, w.out.toByteArray());
    }

    private void str(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(0x8c);
        out.write(b.length);
        out.write(b);
    }

    private void global(String module, String name) throws IOException {
        out.write('c');
        out.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void array(Tensor t) throws IOException {
        global("numpy.core.multiarray", "_reconstruct");
        global("numpy", "ndarray");
        out.write(new byte[]{'K', 0, (byte) 0x85, 'C', 1, 'b', (byte) 0x87, 'R'});
        out.write('(');                                   // state: (1, shape, dtype, False, data)
        out.write(new byte[]{'K', 1});
        out.write('(');
        for (int s : t.shape()) {
            out.write('J');
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(s).array());
        }
        out.write('t');
        global("numpy", "dtype");
        str("f4");
        out.write(new byte[]{(byte) 0x89, (byte) 0x88, (byte) 0x87, 'R'});
        out.write(new byte[]{'(', 'K', 3});
        str("<");
        out.write(new byte[]{'N', 'N', 'N', 'J', -1, -1, -1, -1, 'J', -1, -1, -1, -1, 'K', 0, 't', 'b'});
        out.write(0x89);
        float[] f = t.toFloatArray();
        ByteBuffer data = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(f);
        out.write('B');
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(4 * f.length).array());
        out.write(data.array());
        out.write(new byte[]{'t', 'b'});
    }
}
