/* haul-copy-gate.h — how many threads copy bytes at the same moment
 *
 * Every connection has a thread, and there are many more connections than
 * cores (16 downloads × 8 connections on 2 cores). When the network is as
 * fast as memory, all of them have bytes to copy at once; the kernel then
 * shares the cores among a hundred runnable threads, and the thread that
 * draws the window waits its turn — or waits for a lock that a preempted
 * worker holds. The gate lets a few threads copy at a time (one chunk:
 * read it from the socket, write it to the file); the others sleep until
 * a slot is free. A thread waits for its socket to have bytes *before* it
 * enters, so a slow connection never holds a slot.
 *
 * Slots: the number of processors. HAUL_COPY_GATE=0 in the environment
 * turns the gate off (for A/B benchmarks); HAUL_COPY_GATE=N sets N slots.
 *
 * Process-wide, any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void haul_copy_gate_enter (void);
void haul_copy_gate_leave (void);

G_END_DECLS
