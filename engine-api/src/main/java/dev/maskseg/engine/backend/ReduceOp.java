package dev.maskseg.engine.backend;

public enum ReduceOp { SUM, MAX, MIN }
