package dev.maskseg.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The sessions the Spark tests share, started as {@link SparkJob#start} starts one (the jobs join a running session),
 * so each test class pays Spark's start-up, and local-cluster's executor JVMs, once.
 */
final class TestSessions {
    private TestSessions() {}

    static SparkSession start(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("maskseg spark tests").master(master)
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.log.level", "WARN").config("spark.ui.showConsoleProgress", "false");
        if (master.startsWith("local-cluster")) b.config("spark.jars", AppJar.locate().toString());
        return b.getOrCreate();
    }
}
