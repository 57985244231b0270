package dev.maskseg.zoo.weights;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.PyTorchFiles;
import dev.maskseg.engine.io.SafeTensors;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Reads a weights file by content: safetensors, or a PyTorch zip checkpoint (nested dicts picked by key). */
public final class WeightFiles {
    /** docs/design.md §3: which nested dict of a training checkpoint holds the weights, in order of preference. */
    public static final List<String> CHECKPOINT_KEYS = List.of("teacher", "student", "state_dict", "model");

    private WeightFiles() {}

    public static Map<String, Tensor> read(Path file) throws IOException {
        return read(file, CHECKPOINT_KEYS);
    }

    public static Map<String, Tensor> read(Path file, List<String> checkpointKeys) throws IOException {
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "does not exist");
        if (!Files.isRegularFile(file)) throw new IOException(file + ": is a directory, not a weights file");
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(9);
        }
        if (head.length == 9 && head[8] == '{') return SafeTensors.read(file);
        return PyTorchFiles.stateDict(file, checkpointKeys);
    }
}
