from tuijin.cli import main

main()
