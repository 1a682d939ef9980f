# bench/mpi/run's plot: step time against tensor size, one curve per rank
# count, and the local step (one process, a plain item).
set datafile separator ","
set terminal pngcairo size 900,560 noenhanced
set output dir."/mpi.png"
set logscale xy 2
set format x "%.0s%c"
set xlabel "tensor elements (float32)"
set ylabel "step time (ms, median; slowest rank)"
set key top left
set grid
set title "datasparse: sharded step over MPI (1 OpenMP thread per rank, 2 shared cores) vs one process"
plot for [np=1:4] dir."/mpi.csv" using ($1==np ? $2 : 1/0):3 with linespoints title sprintf("sharded, %d rank%s", np, np>1?"s":""), \
     dir."/mpi.csv" using ($1==1 ? $2 : 1/0):4 with linespoints dashtype 2 lw 2 title "local step, one process"
