package io.paramlab.store;

/** Waiting for the store's own threads. */
final class Threads {
    private Threads() {
    }

    /**
     * Waits until {@code thread} has ended, through interrupts (what it is doing must be over before the caller
     * goes on); answers whether one came, for the caller to set the flag again once it is done.
     */
    static boolean joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }
}
