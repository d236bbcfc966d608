package io.paramlab.testing;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints why a test did not run, on the build's console: surefire counts skipped tests but keeps their
 * reasons in its XML. Covers {@code @Disabled} (skipped) and failed assumptions (aborted), e.g. the browser
 * tests without Chromium. Registered in {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}.
 */
public class SkipReasons implements TestExecutionListener {
    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        print(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            print(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private static void print(TestIdentifier test, String reason) {
        System.out.println("[SKIPPED] " + test.getLegacyReportingName() + " (" + test.getUniqueId().replaceAll(".*\\[class:([^\\]]*)\\].*", "$1")
                + "): " + reason);
    }
}
