#ifndef CONFLICTWATCH_CPCAP_SHIM_H
#define CONFLICTWATCH_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
