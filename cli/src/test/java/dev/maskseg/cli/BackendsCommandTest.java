package dev.maskseg.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code maskseg backends}: every backend with its rank and device, and the default named with the reason. */
class BackendsCommandTest {
    private record Row(String name, int rank, String status, String device) {}

    private static List<Row> rows(String out) {
        List<Row> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+", 4);
            if (f.length == 4 && f[1].matches("\\d+")) rows.add(new Row(f[0], Integer.parseInt(f[1]), f[2], f[3]));
        }
        return rows;
    }

    @Test
    void theHighestRankedAvailableBackendIsTheDefaultAndSaysWhy() {
        Console c = Console.run("backends");
        assertEquals(0, c.code(), c.err());
        List<Row> rows = rows(c.out());
        assertTrue(rows.stream().anyMatch(r -> r.name().equals("jvm")) && rows.stream().anyMatch(r -> r.name().equals("aparapi")), c.out());
        Row def = rows.stream().filter(r -> r.status().equals("default")).findFirst().orElseThrow(() -> new AssertionError(c.out()));
        int best = rows.stream().filter(r -> !r.status().equals("unusable")).mapToInt(Row::rank).max().orElseThrow();
        assertEquals(best, def.rank(), c.out());
        assertTrue(c.out().contains("default: " + def.name() + " (highest-ranked available, rank " + def.rank()), c.out());
        Row aparapi = rows.stream().filter(r -> r.name().equals("aparapi")).findFirst().orElseThrow();
        if (aparapi.device().contains(" CPU ")) {
            assertTrue(aparapi.rank() < def.rank() && def.name().equals("jvm"), "an OpenCL CPU device ranks below jvm: " + c.out());
        }
    }

    @Test
    void aForcedBackendIsTheDefaultWithThatReason() {
        Console c = Console.run("--backend", "reference", "backends");
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("default: reference (forced"), c.out());
    }
}
