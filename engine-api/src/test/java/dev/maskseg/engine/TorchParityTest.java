package dev.maskseg.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.io.SafeTensors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Outputs and gradients of every op against PyTorch golden values (tools/gen_engine_fixtures.py):
 * 1e-5, or 1e-4 where a result sums over more than 1000 terms, relative to max(1, |expected|).
 */
class TorchParityTest {
    @TestFactory
    List<DynamicTest> opsMatchPytorch() throws Exception {
        JsonNode manifest = new ObjectMapper().readTree(fixture("ops.json").toFile());
        Map<String, Tensor> fx = SafeTensors.read(fixture("ops.safetensors"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : manifest.get("cases")) {
            String name = c.get("name").asText();
            tests.add(dynamicTest(name, () -> check(name, c, fx)));
        }
        assertTrue(tests.size() >= 60, "fixture manifest has too few cases: " + tests.size());
        return tests;
    }

    /**
     * A fixture from the test class path, copied to a file: the backend modules run this test from this module's test
     * jar, where the fixtures are jar entries.
     */
    private static Path fixture(String name) throws IOException {
        try (InputStream in = TorchParityTest.class.getResourceAsStream("/fixtures/" + name)) {
            assertNotNull(in, "fixture " + name + " is not on the test class path");
            Path file = Files.createTempFile("maskseg-fixture-", "-" + name);
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }

    private static void check(String name, JsonNode c, Map<String, Tensor> fx) {
        int n = c.get("inputs").asInt();
        Tensor[] in = new Tensor[n];
        for (int i = 0; i < n; i++) {
            Tensor t = fx.get(name + "/in" + i).clone();
            in[i] = t.dtype().isFloating() ? t.requiresGrad(true) : t;
        }
        Map<String, Tensor> extra = new HashMap<>();
        for (String k : new String[]{"running_mean", "running_var"}) {
            Tensor t = fx.get(name + "/" + k);
            if (t != null) extra.put(k, t.clone());
        }
        Tensor out = TorchFixtureOps.apply(c.get("op").asText(), c.get("params"), in, extra);
        Tensor expected = fx.get(name + "/out");
        assertArrayEquals(expected.shape(), out.shape(), name + ": output shape");
        double tol = name.contains("big") ? 1e-4 : 1e-5;
        close(name + " output", expected, out, tol);
        for (String k : extra.keySet()) close(name + " " + k, fx.get(name + "/" + k + "_after"), extra.get(k), tol);
        Tensor w = fx.get(name + "/w");
        if (w == null) return;
        out.mul(w).sum().backward();
        for (int i = 0; i < n; i++) {
            Tensor g = fx.get(name + "/grad" + i);
            if (g == null) continue;
            assertNotNull(in[i].grad(), name + ": no gradient for input " + i);
            close(name + " grad" + i, g, in[i].grad(), tol);
        }
    }

    static void close(String what, Tensor expected, Tensor actual, double tol) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        assertTrue(e.length == a.length, what + ": " + e.length + " vs " + a.length + " elements");
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(e[i] - a[i]);
            assertTrue(err <= tol * Math.max(1, Math.abs(e[i])), what + " element " + i + ": expected " + e[i] + " got " + a[i]);
        }
    }
}
