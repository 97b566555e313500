package dev.preempt.agent.transform;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a class (internal name) belongs to the running JDK, by its package: the packages of the boot
 * layer's modules that the boot or platform loader defines. Read once; no class is loaded to answer.
 */
final class JdkPackages {
    private static final Set<String> JDK = ModuleLayer.boot().modules().stream()
            .filter(m -> m.getClassLoader() == null || m.getClassLoader() == ClassLoader.getPlatformClassLoader())
            .flatMap(m -> m.getPackages().stream())
            .map(p -> p.replace('.', '/'))
            .collect(Collectors.toUnmodifiableSet());

    private JdkPackages() {}

    static boolean isJdk(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash > 0 && JDK.contains(internalName.substring(0, slash));
    }
}
