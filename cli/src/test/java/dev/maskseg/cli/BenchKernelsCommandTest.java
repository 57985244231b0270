package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** `maskseg bench kernels --json` (docs/design.md §4): the record contract, and --backend restricting it to one backend. */
class BenchKernelsCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesOneRecordPerKernelAndThreadCountForTheChosenBackend() throws Exception {
        Path json = dir.resolve("kernels.json");
        Console c = Console.run("bench", "kernels", "--backend", "jvm", "--quick", "--no-peers", "--json", json.toString());
        assertEquals(0, c.code(), c.err());
        JsonNode records = new ObjectMapper().readTree(json.toFile());
        int cores = Runtime.getRuntime().availableProcessors();
        Set<String> seen = new HashSet<>();
        for (JsonNode r : records) {
            assertEquals("jvm", r.get("backend").asText(), "--backend jvm times no other backend");
            double ms = r.get("ms").asDouble();
            assertTrue(ms > 0 && Double.isFinite(ms), r.toString());
            if (r.get("kernel").asText().equals("sgemm")) assertTrue(r.get("gflops").asDouble() > 0.1, r.toString());
            assertTrue(seen.add(r.get("kernel").asText() + " " + r.get("shape").asText() + " " + r.get("threads").asInt()), "duplicate " + r);
        }
        for (int threads : cores > 1 ? new int[]{1, cores} : new int[]{1}) {
            for (String k : new String[]{"sgemm 1024x1024x1024", "sgemm 197x384x1152", "sgemm 197x1536x384", "conv2d 8x64x56x56 k3 64->64",
                    "conv2d 8x256x56x56 k1 256->64", "attention 1x6x197x64", "layernorm 1576x384", "softmax 9456x197"}) {
                assertTrue(seen.contains(k + " " + threads), "missing " + k + " with " + threads + " thread(s)");
            }
        }
        assertTrue(c.out().contains("sgemm      1024x1024x1024"), "the table is printed");
    }
}
