package dev.maskseg.prior;

/** A named parameter with its default ({@code null}: required) and a one-line description. */
public record PriorParam(String name, String defaultValue, String description) {
    public boolean required() { return defaultValue == null; }
}
