package dev.maskseg.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI neither needs nor loads Spark: 'maskseg spark' without the spark module on the class path is one clear error. */
class SparkCommandTest {
    @Test
    void withoutTheSparkModuleSparkIsOneClearError() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.spark.SparkContext"), "Spark is not a dependency of the CLI");
        Console c = Console.run("spark", "mine-masks", "--master", "local[1]", "--prior", "mbplus", "--images", "x", "--out", "y");
        assertEquals(1, c.code());
        assertTrue(c.err().startsWith("maskseg spark: the spark module is not on the class path"), c.err());
        assertEquals(1, c.err().strip().lines().count(), c.err());
    }
}
