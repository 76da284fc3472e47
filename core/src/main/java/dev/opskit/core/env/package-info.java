/**
 * Environment requirements: which variables and secrets a service needs, per environment, checked
 * at start-up ({@code EnvRequirements}) or in a deploy pipeline ({@code opskit env check}).
 */
@NullMarked
package dev.opskit.core.env;

import org.jspecify.annotations.NullMarked;
