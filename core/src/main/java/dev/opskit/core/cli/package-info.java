/**
 * The {@code opskit} command line: the {@link dev.opskit.core.cli.Command} contract every module's
 * command line implements (in its package {@code dev.opskit.<module>.cli}, listed in
 * {@code META-INF/services/dev.opskit.core.cli.Command}), the {@link dev.opskit.core.cli.Opskit}
 * launcher that dispatches to them, and core's own {@code opskit env check}.
 */
@NullMarked
package dev.opskit.core.cli;

import org.jspecify.annotations.NullMarked;
