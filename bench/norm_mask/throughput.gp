# gnuplot -e "dir='build-bench/bench'" bench/norm_mask/throughput.gp
set terminal png size 900,560 noenhanced
set output dir."/throughput.png"
set title "norm sparsifier step, 1x4 blocks, L1, level 0.7, one thread: throughput against size"
set xlabel "elements"
set ylabel "GB/s (5 bytes per element: read 4, write 1)"
set logscale x 2
set format x "%.0s%c"
set key outside right
set grid
set datafile columnheaders
stats dir."/throughput.dat" nooutput
plot for [i=2:STATS_columns] dir."/throughput.dat" using 1:i with linespoints title columnheader(i)
