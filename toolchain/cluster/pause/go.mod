module golive/toolchain/cluster/pause

go 1.25
