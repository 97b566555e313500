package dev.preempt.agent.transform;

import java.lang.module.ModuleFinder;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a class (internal name) belongs to the running JDK, by its package: the packages of every module
 * of the JDK's image, resolved or not (an incubator module such as {@code jdk.incubator.vector} is not in
 * the boot layer unless asked for, yet its types are the JDK's). Read once; no class is loaded to answer.
 */
final class JdkPackages {
    private static final Set<String> JDK = ModuleFinder.ofSystem().findAll().stream()
            .flatMap(m -> m.descriptor().packages().stream())
            .map(p -> p.replace('.', '/'))
            .collect(Collectors.toUnmodifiableSet());

    private JdkPackages() {}

    static boolean isJdk(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash > 0 && JDK.contains(internalName.substring(0, slash));
    }
}
