/** {@code opskit deadletters}: list, show, replay, clean up and purge dead letters from the opskit command line. */
package dev.opskit.deadletter.cli;
