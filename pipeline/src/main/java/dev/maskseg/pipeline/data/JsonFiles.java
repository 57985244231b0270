package dev.maskseg.pipeline.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;

/** The pipeline's JSON outputs (indented), each written atomically. */
public final class JsonFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonFiles() {}

    /** The indented JSON text of {@code value}. */
    public static String text(Object value) throws IOException { return JSON.writeValueAsString(value); }

    /** The indented JSON of {@code value} as UTF-8, the bytes {@link #write} writes. */
    public static byte[] bytes(Object value) throws IOException { return JSON.writeValueAsBytes(value); }

    /** A JSON object file as a map (what {@link #write} wrote); an unreadable file is one error naming it. */
    @SuppressWarnings("unchecked")
    public static java.util.Map<String, Object> read(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), java.util.LinkedHashMap.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a JSON object (" + e.getMessage() + ")", e);
        }
    }

    /** Writes {@code value} as indented JSON to {@code file}, atomically. */
    public static void write(Path file, Object value) throws IOException {
        byte[] bytes = bytes(value);
        AtomicFiles.write(file, out -> out.write(bytes));
    }
}
