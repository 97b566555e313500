public class Counter { public static volatile int calls; }
