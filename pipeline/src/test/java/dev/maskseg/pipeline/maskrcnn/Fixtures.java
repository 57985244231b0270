package dev.maskseg.pipeline.maskrcnn;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.SafeTensors;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** The detection fixtures of tools/gen_detection_fixtures.py, read from the test class path. */
final class Fixtures {
    private Fixtures() {}

    /** engine-api's op fixtures ({@code <case>/<field>}). */
    static Map<String, Tensor> ops() { return read("/fixtures/detection/ops.safetensors"); }

    /** model-zoo's Mask R-CNN fixture ({@code <case>.<name>}). */
    static Map<String, Tensor> maskrcnn() { return read("/fixtures/maskrcnn/maskrcnn.safetensors"); }

    private static Map<String, Tensor> read(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is not on the test class path");
            Path tmp = Files.createTempFile("fixture", ".safetensors");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return SafeTensors.read(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(Tensor t) {
        long[] l = t.toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = Math.toIntExact(l[i]);
        return out;
    }
}
