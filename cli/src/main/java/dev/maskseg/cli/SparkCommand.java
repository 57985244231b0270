package dev.maskseg.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code maskseg spark <stage> ...}: hands its arguments to the spark module ({@code dev.maskseg.spark.SparkMain}),
 * which bin/maskseg puts on the class path with Spark's jars for this command only; every other command runs without
 * Spark. Arguments after the stage are the stage's own (the single-machine command's options plus --master).
 */
@Command(name = "spark", description = {"Run a dataset stage as an Apache Spark job; it writes what the single-machine command writes.",
        "Stages: mine-masks, features, predict, pseudo-maps, eval miou. 'maskseg spark <stage> --help' lists a stage's options: the "
                + "single-machine command's, plus --master URL (local[N], local-cluster[W,C,MB], spark://..., yarn, k8s://...), --conf KEY=VALUE "
                + "and --print-submit (print the spark-submit line for a cluster instead of running)."})
final class SparkCommand implements Callable<Integer> {
    static final String MAIN = "dev.maskseg.spark.SparkMain";

    @Parameters(paramLabel = "STAGE [OPTIONS]", description = "The stage and its options.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> forwarded = new ArrayList<>(args);
        String backend = Main.requestedBackend();
        if (backend != null && !forwarded.contains("--backend") && forwarded.stream().noneMatch(a -> a.startsWith("--backend="))) {
            forwarded.add("--backend=" + backend);
        }
        Class<?> main;
        try {
            main = Class.forName(MAIN, true, Main.pluginLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the spark module is not on the class path: build it (mvn install) and run 'bin/maskseg spark ...', "
                    + "which adds spark/target/maskseg-spark.jar and Spark's jars ($SPARK_HOME/jars, else spark/target/spark-home/jars)");
        }
        try {
            return (Integer) main.getMethod("run", String[].class).invoke(null, (Object) forwarded.toArray(String[]::new));
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }
}
