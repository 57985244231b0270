package dev.maskseg.spark;

import dev.maskseg.pipeline.StageListener;

/** The driver's console: status lines on stdout, problems on stderr behind the stage's name, as the single-machine commands print them. */
final class StageOutput implements StageListener {
    private final String prefix;

    StageOutput(String prefix) { this.prefix = prefix; }

    @Override
    public void info(String line) { if (!line.isEmpty()) System.out.println(line); }

    @Override
    public void warning(String line) { System.err.println(line); }

    @Override
    public void problem(String message) { System.err.println(prefix + ": " + message); }
}
