/** {@code opskit deadletters}: list, show, replay, clean up and purge dead letters from the opskit command line. */
@NullMarked
package dev.opskit.deadletter.cli;

import org.jspecify.annotations.NullMarked;
