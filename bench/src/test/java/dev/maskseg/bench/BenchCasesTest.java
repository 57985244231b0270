package dev.maskseg.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** JMH and {@code maskseg bench} time one case list: the JMH parameters name exactly the cases, in their order. */
class BenchCasesTest {
    private static List<String> params(Class<?> suite, String field) throws NoSuchFieldException {
        return Arrays.asList(suite.getField(field).getAnnotation(Param.class).value());
    }

    @Test
    void jmhParametersAreTheCaseIds() throws Exception {
        assertEquals(KernelCases.all().stream().map(KernelCases.Case::id).toList(), params(KernelBenchmarks.class, "kernel"));
        assertEquals(ModelCases.all().stream().map(ModelCases.Case::id).toList(), params(ModelBenchmarks.class, "model"));
    }

    @Test
    void kernelCasesFollowTheJsonContract() {
        // docs/design.md §4: sgemm shapes as MxNxK, at least 1024³ and the ViT-shaped 197x384x1152
        List<String> shapes = KernelCases.all().stream().filter(c -> c.kernel().equals("sgemm")).map(KernelCases.Case::shape).toList();
        assertEquals(List.of("1024x1024x1024", "197x384x1152", "197x1536x384"), shapes);
        assertEquals(List.of("sgemm", "conv2d", "attention", "layernorm", "softmax"),
                KernelCases.all().stream().map(KernelCases.Case::kernel).distinct().toList());
        assertThrows(IllegalArgumentException.class, () -> KernelCases.byId("sgemm-4096"));
    }
}
